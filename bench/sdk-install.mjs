// SDK install footprint: the packages and bytes that `npm install` of the packed @fleet/sdk tarball
// alone brings into an empty project, as an agent that only needs the client would install it.
//
//   npm run build -w @fleet/sdk && node bench/sdk-install.mjs   # this checkout's SDK
//   node bench/sdk-install.mjs /tmp/fleet-before/packages/sdk   # another checkout's (built) SDK
//   node bench/sdk-install.mjs --json                           # machine-readable results
//
// It packs the SDK (`npm pack`, which takes what `files` lists), installs that tarball with
// `npm install --prefer-offline --no-audit --no-fund` into an empty temporary project, then walks its
// node_modules: every directory with a package.json is a package, and its bytes are the sizes of its
// files (nested node_modules apart, counted as packages of their own). "On disk" adds up allocated
// blocks instead, which is what `du` reports. Target: the install brings @fleet/sdk, zod and ky only.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sdkDirFromArgs } from './_lib.mjs';

const json = process.argv.includes('--json');
const sdkDir = sdkDirFromArgs();
const allowed = ['@fleet/sdk', 'ky', 'zod'];
const progress = (line) => {
  if (process.stderr.isTTY) console.error(line);
};

/** Sizes of the files under `dir`, skipping `skip` (a directory name) at any depth; symlinks count as links. */
function sizeOf(dir, skip) {
  let bytes = 0;
  let disk = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name === skip) continue;
    const path = join(dir, entry.name);
    const stat = lstatSync(path);
    disk += stat.blocks * 512;
    if (entry.isDirectory()) {
      const inner = sizeOf(path, skip);
      bytes += inner.bytes;
      disk += inner.disk;
    } else {
      bytes += stat.size;
    }
  }
  return { bytes, disk };
}

/** Every package under a node_modules directory, nested ones included. */
function packagesIn(nodeModules) {
  const found = [];
  const visit = (dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    found.push({ name: pkg.name, version: pkg.version, ...sizeOf(dir, 'node_modules') });
    const nested = join(dir, 'node_modules');
    if (readdirSync(dir).includes('node_modules')) scan(nested);
  };
  const scan = (modules) => {
    for (const entry of readdirSync(modules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const path = join(modules, entry.name);
      if (entry.name.startsWith('@')) {
        for (const scoped of readdirSync(path, { withFileTypes: true })) {
          if (scoped.isDirectory()) visit(join(path, scoped.name));
        }
      } else {
        visit(path);
      }
    }
  };
  scan(nodeModules);
  return found.sort((a, b) => b.bytes - a.bytes);
}

const work = mkdtempSync(join(tmpdir(), 'fleet-sdk-install-'));
try {
  const packs = join(work, 'packs');
  mkdirSync(packs);
  progress(`packing ${sdkDir}`);
  execFileSync('npm', ['pack', '--loglevel', 'warn', '--pack-destination', packs], {
    cwd: sdkDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarball = readdirSync(packs).find((file) => file.endsWith('.tgz'));
  const tarballBytes = lstatSync(join(packs, tarball)).size;

  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'sdk-install-bench', private: true }));
  progress(`npm install ${tarball} into an empty project`);
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(packs, tarball)], {
    cwd: project,
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  const packages = packagesIn(join(project, 'node_modules'));
  const sdk = packages.find((p) => p.name === '@fleet/sdk');
  const bytes = packages.reduce((sum, p) => sum + p.bytes, 0);
  const disk = packages.reduce((sum, p) => sum + p.disk, 0);
  const extra = packages.filter((p) => !allowed.includes(p.name)).map((p) => p.name);
  // What a client cannot do without, measured in the same install: zod and ky themselves.
  const floor = packages.filter((p) => p.name === 'zod' || p.name === 'ky');
  const result = {
    sdk: { dir: sdkDir, version: sdk?.version },
    tarballBytes,
    count: packages.length,
    bytes,
    diskBytes: disk,
    packages,
    baseline: {
      packages: floor.map((p) => `${p.name}@${p.version}`),
      bytes: floor.reduce((sum, p) => sum + p.bytes, 0),
      diskBytes: floor.reduce((sum, p) => sum + p.disk, 0),
    },
    target: { allowed, extra, met: extra.length === 0 },
  };

  if (json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
    console.table(packages.map((p) => ({ package: p.name, version: p.version, bytes: p.bytes, 'on disk': p.disk })));
    console.log(
      `@fleet/sdk ${sdk?.version} (${sdkDir}): tarball ${(tarballBytes / 1e3).toFixed(1)} kB; ` +
        `installs ${packages.length} packages, ${mb(bytes)} of files, ${mb(disk)} on disk`,
    );
    console.log(
      `baseline, zod and ky alone: ${result.baseline.packages.join(', ')}, ` +
        `${mb(result.baseline.bytes)} of files, ${mb(result.baseline.diskBytes)} on disk`,
    );
    console.log(
      extra.length === 0
        ? `target met: only ${allowed.join(', ')}`
        : `BELOW TARGET: ${extra.length} packages beyond ${allowed.join(', ')}: ${extra.join(', ')}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
