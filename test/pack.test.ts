import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'fleet-pack-'));
const packs = join(work, 'packs');
/**
 * One project per server (and one for the deployer), each holding that package's tarball and the
 * SDK's, nothing else of Fleet's; an agent's project, with the SDK's tarball alone; one with the
 * `fleet` CLI but not its optional peer, the deployer; and one with all six.
 */
const projects = {
  bus: join(work, 'bus'),
  knowledge: join(work, 'knowledge'),
  deployer: join(work, 'deployer'),
  client: join(work, 'client'),
  cli: join(work, 'cli'),
  full: join(work, 'full'),
};
const FLEET_CLI_PACKAGES = ['fleet-sdk', 'fleet-bus-server', 'fleet-knowledge-server', 'fleet-dashboard', 'fleet-cli'];
/** The few functions of semver (which npm and changesets use) this test needs. */
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
  inc(version: string, release: 'minor'): string;
  minVersion(range: string): { version: string } | null;
};
const tarballs: string[] = [];
const tarball = (name: string) => {
  const found = tarballs.find((file) => file.startsWith(`${name}-`));
  if (!found) throw new Error(`no ${name} tarball in ${tarballs.join(', ')}`);
  return join(packs, found);
};
const tar = (...args: string[]) => execFileSync('tar', args, { encoding: 'utf8' });

async function install(project: string, files: string[], { addon = true } = {}) {
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pack-test', private: true, type: 'module' }));
  // Install like a user would, from the tarballs and the registry. Install scripts are skipped and the
  // native better-sqlite3 addon is copied from this checkout instead of compiling it again (about a
  // minute): this test checks Fleet's packaging, not better-sqlite3's build.
  await promisify(execFile)(
    'npm',
    ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', ...files],
    {
      cwd: project,
    },
  );
  if (!addon) return;
  cpSync(join(root, 'node_modules/better-sqlite3/build'), join(project, 'node_modules/better-sqlite3/build'), {
    recursive: true,
  });
}

/** Every package installed in a project, nested ones included, by name. */
function installedPackages(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const names = entry.name.startsWith('@')
      ? readdirSync(join(dir, entry.name)).map((name) => `${entry.name}/${name}`)
      : [entry.name];
    for (const name of names) {
      found.push(name);
      const nested = join(dir, name, 'node_modules');
      if (existsSync(nested)) found.push(...installedPackages(nested));
    }
  }
  return found;
}

/** The package.json of every package installed in a project, nested ones included. */
function installedManifests(dir: string): Array<{ name: string; version: string; engines?: { node?: string } }> {
  const found: Array<{ name: string; version: string; engines?: { node?: string } }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dirs = entry.name.startsWith('@')
      ? readdirSync(join(dir, entry.name)).map((name) => join(dir, entry.name, name))
      : [join(dir, entry.name)];
    for (const packageDir of dirs) {
      found.push(JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')));
      const nested = join(packageDir, 'node_modules');
      if (existsSync(nested)) found.push(...installedManifests(nested));
    }
  }
  return found;
}

beforeAll(async () => {
  // The root `npm test` builds first; `npm run pack` packs what `files` lists, plus the LICENSE.
  execFileSync(process.execPath, [join(root, 'scripts/pack.mjs'), '--out', packs], { cwd: root, stdio: 'pipe' });
  tarballs.push(...readdirSync(packs).filter((file) => file.endsWith('.tgz')));
  await Promise.all([
    install(projects.bus, [tarball('fleet-sdk'), tarball('fleet-bus-server')]),
    install(projects.knowledge, [tarball('fleet-sdk'), tarball('fleet-knowledge-server')]),
    install(projects.deployer, [tarball('fleet-sdk'), tarball('fleet-deployer')], { addon: false }),
    install(projects.client, [tarball('fleet-sdk')], { addon: false }),
    install(projects.cli, FLEET_CLI_PACKAGES.map(tarball), { addon: false }),
    install(projects.full, [...FLEET_CLI_PACKAGES, 'fleet-deployer'].map(tarball)),
  ]);
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Starts a server (`command args` in `cwd`), reads the URL it prints, answers its `/health`, and stops it. */
async function serverHealth(command: string, args: string[], cwd: string): Promise<Record<string, unknown>> {
  const child = spawn(command, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: npx runs the server as a child, and both must stop with the test.
    detached: true,
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /(http:\/\/\S+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      child.once('exit', () => reject(new Error(`${command} ${args.join(' ')} exited: ${err}`)));
    });
    return (await (await fetch(`${url.replace(/\/$/, '')}/health`)).json()) as Record<string, unknown>;
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

function node(project: string, script: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' });
}

/** What a script that fails prints on stderr. */
function failingNode(project: string, script: string): string {
  try {
    node(project, script);
  } catch (error) {
    return String((error as { stderr?: unknown }).stderr);
  }
  throw new Error('the script did not fail');
}

describe('the tarballs npm run pack makes', () => {
  test('there is one per published package', () => {
    expect(tarballs.map((file) => file.replace(/-\d+\.\d+\.\d+.*\.tgz$/, '')).sort()).toEqual([
      'fleet-bus-server',
      'fleet-cli',
      'fleet-dashboard',
      'fleet-deployer',
      'fleet-knowledge-server',
      'fleet-sdk',
    ]);
  });

  test('every tarball carries the repository LICENSE', () => {
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    for (const file of tarballs) {
      expect(tar('-tzf', join(packs, file)).split('\n'), file).toContain('package/LICENSE');
      expect(tar('-xzOf', join(packs, file), 'package/LICENSE'), file).toBe(license);
    }
  });

  test('internal dependencies ask for the version packed beside them, never *', () => {
    const manifests = tarballs.map((file) => JSON.parse(tar('-xzOf', join(packs, file), 'package/package.json')));
    const versions = new Map(manifests.map((m) => [m.name, m.version]));
    for (const manifest of manifests) {
      for (const [name, range] of Object.entries<string>(manifest.dependencies ?? {})) {
        if (name.startsWith('@fleet/')) expect(range, `${manifest.name} → ${name}`).toBe(`^${versions.get(name)}`);
      }
    }
  });

  test('internal peer dependencies admit the version packed beside them and its next minor, never *', () => {
    // changesets leaves a peer range that still admits the new version alone; one that does not
    // (^0.1.0 against 0.2.0) would make a major release of the package that declares it.
    const manifests = tarballs.map((file) => JSON.parse(tar('-xzOf', join(packs, file), 'package/package.json')));
    const versions = new Map<string, string>(manifests.map((m) => [m.name, m.version]));
    const peers = manifests.flatMap((manifest) =>
      Object.entries<string>(manifest.peerDependencies ?? {})
        .filter(([name]) => name.startsWith('@fleet/'))
        .map(([name, range]) => ({ of: `${manifest.name} → ${name}`, range, version: versions.get(name) ?? '' })),
    );
    expect(peers.map((peer) => peer.of)).toEqual(['@fleet/cli → @fleet/deployer']);
    for (const { of, range, version } of peers) {
      expect(range, of).not.toBe('*');
      expect(semver.satisfies(version, range), `${of}: ${range} admits ${version}`).toBe(true);
      const next = semver.inc(version, 'minor');
      expect(semver.satisfies(next, range), `${of}: ${range} admits ${next}`).toBe(true);
    }
  });
});

describe('the published packages, installed from their tarballs into empty projects', () => {
  test('@fleet/sdk imports with its schemas and client', () => {
    const out = node(
      projects.bus,
      `
      import { BusClient, SendInput, busRoutes } from '@fleet/sdk';
      const parsed = SendInput.parse({ from: 'a', to: 'b' });
      console.log(typeof BusClient, parsed.type, busRoutes.send.path);
    `,
    );
    expect(out.trim()).toBe('function message /message');
  });

  test.each([
    ['fleet-bus', 'fleet-bus', 'bus'],
    ['fleet-knowledge', 'fleet-knowledge', 'knowledge'],
  ] as const)(
    'npx %s server starts from its tarball installed with the SDK tarball alone, and answers /health',
    async (bin, service, project) => {
      const cwd = projects[project];
      const health = await serverHealth(
        'npx',
        ['--no-install', bin, 'server', '--port', '0', '--db', join(cwd, `${bin}.db`)],
        cwd,
      );
      expect(health).toMatchObject({ status: 'ok', service });
    },
    60_000,
  );
});

describe('the deployer, installed from its tarball with the SDK tarball alone', () => {
  test('npx fleet-deploy lists its commands under its own name, and its entry loads', () => {
    const usage = execFileSync('npx', ['--no-install', 'fleet-deploy', '--help'], {
      cwd: projects.deployer,
      encoding: 'utf8',
    });
    expect(usage).toContain('USAGE fleet-deploy plan|run|rollback|audit|history|unlock|hook');
    const out = node(
      projects.deployer,
      `
      import { buildReleaseBundle, releaseBundleStep } from '@fleet/deployer';
      console.log(typeof buildReleaseBundle, typeof releaseBundleStep);
    `,
    );
    expect(out.trim()).toBe('function function');
  });
});

describe('the fleet CLI, installed from its tarball without the optional deployer', () => {
  const fleet = (...args: string[]) =>
    spawnSync('npx', ['--no-install', 'fleet', ...args], { cwd: projects.cli, encoding: 'utf8' });

  test('npx fleet --help lists every command, deploy among them, and exits 0', () => {
    const run = fleet('--help');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/deploy\s+Deploy the fleet file onto its hosts over SSH/);
  });

  test('npx fleet deploy plan says to install @fleet/deployer and exits 2', () => {
    const run = fleet('deploy', 'plan');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'fleet: fleet deploy needs @fleet/deployer, not installed here: npm install @fleet/deployer\n',
    );
  });
});

describe('all six tarballs installed in one project', () => {
  test("the oldest Node the Fleet packages' engines admit is one every installed package admits", () => {
    const installed = installedManifests(join(projects.full, 'node_modules'));
    const fleet = installed.filter((manifest) => manifest.name.startsWith('@fleet/'));
    expect(fleet).toHaveLength(6);
    const ranges = [...new Set(fleet.map((manifest) => manifest.engines?.node))];
    expect(ranges).toHaveLength(1);
    const oldest = semver.minVersion(ranges[0] ?? '')?.version ?? '';
    const refusing = installed
      .filter((manifest) => manifest.engines?.node !== undefined && !semver.satisfies(oldest, manifest.engines.node))
      .map((manifest) => `${manifest.name}@${manifest.version} (node ${manifest.engines?.node})`);
    expect(refusing, `Node ${oldest}`).toEqual([]);
  });

  test('buildFleetBundle() bundles the installed packages, and fleet-bus runs from the bundle extracted elsewhere', async () => {
    const out = join(work, 'bundles');
    const bundle = JSON.parse(
      node(
        projects.full,
        `
      import { buildFleetBundle } from '@fleet/deployer';
      console.log(JSON.stringify(await buildFleetBundle({ out: ${JSON.stringify(out)} })));
    `,
      ),
    ) as { file: string; bins: Record<string, string> };
    expect(bundle.bins).toEqual({
      'fleet-bus': 'node_modules/@fleet/bus-server/bin/fleet-bus.js',
      'fleet-knowledge': 'node_modules/@fleet/knowledge-server/bin/fleet-knowledge.js',
      'fleet-dashboard': 'node_modules/@fleet/dashboard/bin/fleet-dashboard.js',
      fleet: 'node_modules/@fleet/cli/bin/fleet.js',
      'fleet-deploy': 'node_modules/@fleet/deployer/bin/fleet-deploy.js',
    });
    const release = join(work, 'release');
    mkdirSync(release);
    tar('-xzf', bundle.file, '-C', release);
    const bus = join(release, bundle.bins['fleet-bus'] ?? '');
    const health = await serverHealth(
      process.execPath,
      [bus, 'server', '--port', '0', '--db', join(work, 'bundled-bus.db')],
      release,
    );
    expect(health).toMatchObject({ status: 'ok', service: 'fleet-bus' });
  }, 120_000);
});

describe("an agent's install: the SDK's tarball alone", () => {
  test('brings @fleet/sdk, zod and ky, and nothing else', () => {
    expect(installedPackages(join(projects.client, 'node_modules')).sort()).toEqual(['@fleet/sdk', 'ky', 'zod']);
  });

  test('the root entry, the stores and the demo agent load; the SQLite and PostgreSQL stores name the package they need', () => {
    const out = node(
      projects.client,
      `
      import { BusClient } from '@fleet/sdk';
      import { MemoryMessageStore, PostgresMessageStore, SqliteMessageStore } from '@fleet/sdk/stores';
      import { startDemoAgent } from '@fleet/sdk/demo';
      const store = new MemoryMessageStore();
      console.log(typeof BusClient, typeof store.send, typeof startDemoAgent);
      try { new SqliteMessageStore({ path: ':memory:' }); } catch (error) { console.log(error.message); }
      try { new PostgresMessageStore({ url: 'postgres://localhost/bus' }); } catch (error) { console.log(error.message); }
    `,
    );
    expect(out.trim().split('\n')).toEqual([
      'function function function',
      expect.stringContaining('install better-sqlite3'),
      'install pg to use the PostgreSQL store (npm install pg)',
    ]);
  });

  test.each([
    [
      '@fleet/sdk/server',
      'needs h3, prom-client and srvx, not installed here: npm install h3@^2.0.8 prom-client@^15.1.3 srvx@^1.0.6',
    ],
    ['@fleet/sdk/fleet', 'needs yaml, not installed here: npm install yaml@^2.9.1'],
    ['@fleet/sdk/cli', 'needs citty and consola, not installed here: npm install citty@^0.2.2 consola@^3.4.2'],
    ['@fleet/sdk/deploy', 'needs diff, not installed here: npm install diff@^9.0.0'],
  ])('importing %s without its peers fails with one line naming what to install', (entry, message) => {
    const stderr = failingNode(projects.client, `await import('${entry}');`);
    expect(stderr).toContain(`Error: ${entry} ${message}`);
    expect(stderr).toContain('ERR_FLEET_MISSING_PEER');
  });
});
