// SDK install footprint: the packages and bytes that `npm install` of the packed @fleet/sdk tarball
// alone brings into an empty project, as an agent that only needs the client would install it.
//
//   npm run build -w @fleet/sdk && node bench/sdk-install.mjs   # this checkout's SDK
//   node bench/sdk-install.mjs /tmp/fleet-before/packages/sdk   # another checkout's (built) SDK
//   node bench/sdk-install.mjs --json                           # machine-readable results
//
// It packs the SDK (`npm pack`, which takes what `files` lists), installs that tarball with
// `npm install --offline --no-audit --no-fund` into an empty temporary project, then walks its
// node_modules: every directory with a package.json is a package, and its bytes are the sizes of its
// files (nested node_modules apart, counted as packages of their own). "On disk" adds up allocated
// blocks instead, which is what `du` reports. Target: the install brings @fleet/sdk, zod and ky only
// (missed: exit code 1).
//
// The install is offline: it sends nothing to the npm registry and takes the dependencies from npm's
// cache, which an `npm install` of this checkout has filled. When the cache lacks one, the bench
// fails with a hint. Ctrl-C or SIGTERM removes the temporary project.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs } from './_args.mjs';
import { judge } from './_checks.mjs';
import { cleanUpOnExit } from './_clean-up.mjs';
import { sdkDirFromArgs } from './_lib.mjs';

const { json, positionals } = benchArgs(import.meta.url, { flags: ['json'], positionals: 1 });
const sdkDir = sdkDirFromArgs(positionals);
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

/**
 * `npm install --offline` of `tarball` into `project`. When npm's cache lacks a dependency, exits
 * with one line that says how to fill it (the registry is never asked here).
 */
function installOffline(project, tarball) {
  try {
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], {
      cwd: project,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
  } catch (error) {
    const stderr = String(error.stderr ?? '');
    if (!stderr.includes('ENOTCACHED')) {
      process.stderr.write(stderr);
      throw error;
    }
    const { dependencies = {} } = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8'));
    const specs = Object.entries(dependencies).map(([name, range]) => `'${name}@${range}'`);
    console.error(
      `npm's cache lacks a dependency of the SDK (npm install --offline: ENOTCACHED): fill it once while online (npm install in this checkout, or npm cache add ${specs.join(' ')}), then run again`,
    );
    process.exitCode = 1;
    return false;
  }
  return true;
}

const work = mkdtempSync(join(tmpdir(), 'fleet-sdk-install-'));
/** Removes the temporary project, once (the normal end, an error, or Ctrl-C). */
const cleanUp = cleanUpOnExit(() => rmSync(work, { recursive: true, force: true }));
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
  progress(`npm install --offline ${tarball} into an empty project`);
  if (installOffline(project, join(packs, tarball))) report(project, tarballBytes);
} finally {
  await cleanUp();
}

/** Walks the installed project, judges the target and prints the figures. */
function report(project, tarballBytes) {
  const packages = packagesIn(join(project, 'node_modules'));
  const sdk = packages.find((p) => p.name === '@fleet/sdk');
  const bytes = packages.reduce((sum, p) => sum + p.bytes, 0);
  const disk = packages.reduce((sum, p) => sum + p.disk, 0);
  const extra = packages.filter((p) => !allowed.includes(p.name)).map((p) => p.name);
  // What a client cannot do without, measured in the same install: zod and ky themselves.
  const floor = packages.filter((p) => p.name === 'zod' || p.name === 'ky');
  const [check] = judge([[`packages beyond ${allowed.join(', ')}`, extra.length, '<=', 0]], { quiet: json });
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
    target: { allowed, extra, met: check.result === 'ok' },
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
        : `ABOVE TARGET: ${extra.length} packages beyond ${allowed.join(', ')}: ${extra.join(', ')}`,
    );
  }
}
