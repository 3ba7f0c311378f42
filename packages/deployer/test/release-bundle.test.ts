import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { spawnServer } from '@fleet/test-utils/spawn-server';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildReleaseBundle, type ReleaseBundle } from '../src/bundle/build-release-bundle.ts';
import { isBundleError } from '../src/errors.ts';
import { fixtureProject, REPO, serverBins, serversBundle, tempDir } from './_fixtures.ts';

/** Extracts a bundle with the system's tar, as a host would. */
function extract(bundle: ReleaseBundle): string {
  const dir = tempDir('extracted');
  execFileSync('tar', ['-xzf', bundle.file, '-C', dir]);
  return dir;
}

/** Every symlink under `dir`, with its target as stored. */
function symlinks(dir: string, prefix = ''): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = join(prefix, entry.name);
    if (entry.isSymbolicLink()) found[path] = readlinkSync(join(dir, path));
    else if (entry.isDirectory()) Object.assign(found, symlinks(dir, path));
  }
  return found;
}

describe('buildReleaseBundle on a project of its own', () => {
  test.each(['absolute', 'relative'] as const)(
    'a workspace package linked %sly stays a relative symlink, and the bin runs extracted elsewhere',
    async (link) => {
      const { bin } = fixtureProject(link);
      const bundle = await buildReleaseBundle({ bins: [bin], out: tempDir('out') });
      expect(bundle.bins).toEqual({ 'fixture-app': 'app/bin/app.js' });
      const dir = extract(bundle);
      expect(symlinks(dir)).toEqual({ 'app/node_modules/lib': '../../lib' });
      expect(execFileSync(process.execPath, [join(dir, bundle.bins['fixture-app'] ?? '')], { encoding: 'utf8' })).toBe(
        'hello from lib\n',
      );
    },
  );

  test('the bundle depends on the files, not on their times: touched files give the same sha256, an edit another', async () => {
    const { root, bin } = fixtureProject('relative');
    const first = await buildReleaseBundle({ bins: [bin], out: tempDir('out') });
    utimesSync(join(root, 'lib/index.js'), new Date(), new Date('2011-11-11'));
    utimesSync(bin, new Date(), new Date());
    const touched = await buildReleaseBundle({ bins: [bin], out: tempDir('out') });
    expect(touched.sha256).toBe(first.sha256);
    writeFileSync(join(root, 'lib/index.js'), "export const greeting = 'hello again';\n");
    const edited = await buildReleaseBundle({ bins: [bin], out: tempDir('out') });
    expect(edited.sha256).not.toBe(first.sha256);
    expect(edited.id).toBe(edited.sha256.slice(0, 12));
    expect(edited.file.endsWith(`fleet-release-${edited.id}.tar.gz`)).toBe(true);
  });

  test('a bin whose package is not built fails, naming the import that is missing', async () => {
    const { root, bin } = fixtureProject('relative');
    rmSync(join(root, 'app/dist'), { recursive: true });
    const error = await buildReleaseBundle({ bins: [bin], out: tempDir('out') }).catch((caught: unknown) => caught);
    expect(isBundleError(error) && error.code).toBe('unresolved_import');
    expect((error as Error).message).toContain('../dist/cli.js');
  });

  test('a file its package.json does not list as a bin is refused', async () => {
    const { root } = fixtureProject('relative');
    const error = await buildReleaseBundle({ bins: [join(root, 'lib/index.js')] }).catch((caught: unknown) => caught);
    expect(isBundleError(error) && error.code).toBe('bin_not_found');
  });

  test('a declared dependency that is not installed fails the bundle', async () => {
    const { root, bin } = fixtureProject('relative');
    rmSync(join(root, 'app/node_modules/lib'));
    const error = await buildReleaseBundle({ bins: [bin] }).catch((caught: unknown) => caught);
    expect(isBundleError(error) && error.code).toBe('dependency_missing');
  });
});

describe('the release bundle of the bus and knowledge servers', () => {
  let bundle: ReleaseBundle;

  beforeAll(async () => {
    bundle = await serversBundle();
  }, 300_000);

  test('names both bins by their package.json names, at their paths in the repository', () => {
    expect(bundle.bins).toEqual({
      'fleet-bus': 'packages/bus-server/bin/fleet-bus.js',
      'fleet-knowledge': 'packages/knowledge-server/bin/fleet-knowledge.js',
    });
    expect(bundle.id).toBe(bundle.sha256.slice(0, 12));
  });

  test('holds the native better-sqlite3 addon and links the SDK relatively, with nothing of the tests', () => {
    const dir = extract(bundle);
    expect(existsSync(join(dir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
    expect(symlinks(dir)['node_modules/@fleet/sdk']).toBe('../../packages/sdk');
    expect(lstatSync(join(dir, 'packages/sdk/dist/index.js')).isFile()).toBe(true);
    expect(existsSync(join(dir, 'packages/bus-server/src'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/vitest'))).toBe(false);
  });

  test.each([
    ['fleet-bus', 'fleet-bus'],
    ['fleet-knowledge', 'fleet-knowledge'],
  ])('%s runs from the bundle extracted outside the repository and answers /health', async (bin, service) => {
    const dir = extract(bundle);
    const server = await spawnServer(join(dir, bundle.bins[bin] ?? ''), [
      'server',
      '--port',
      '0',
      '--db',
      join(dir, `${service}.db`),
    ]);
    try {
      const response = await fetch(`${server.url}/health`);
      expect(await response.json()).toMatchObject({ status: 'ok', service });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  test("holds the SDK's pull worker and the chunks it imports, and the worker pulls from the extracted knowledge server", async () => {
    const dir = extract(bundle);
    const worker = join(dir, 'packages/sdk/dist/page-puller-worker.js');
    expect(existsSync(worker)).toBe(true);
    // The worker as built in the checkout: every file it imports by a relative path.
    const source = readFileSync(join(REPO, 'packages/sdk/dist/page-puller-worker.js'), 'utf8');
    const chunks = [...source.matchAll(/^import\s[^'"]*['"](\.\/[^'"]+)['"]/gm)].map((match) => match[1] ?? '');
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(existsSync(join(dir, 'packages/sdk/dist', chunk)), chunk).toBe(true);

    const server = await spawnServer(join(dir, bundle.bins['fleet-knowledge'] ?? ''), [
      'server',
      '--port',
      '0',
      '--db',
      join(dir, 'worker-pull.db'),
    ]);
    const thread = new Worker(worker);
    try {
      const reply = new Promise((resolve, reject) => {
        thread.once('message', resolve);
        thread.once('error', reject);
      });
      thread.postMessage({
        op: 'pull',
        id: 1,
        target: { url: server.url, timeoutMs: 30_000 },
        input: { nodeId: 'bundle-test', since: 0 },
      });
      expect(await reply).toMatchObject({ id: 1, decoded: { ok: true } });
    } finally {
      await thread.terminate();
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  test('building it again gives the same bytes: the same sha256 and id', async () => {
    const again = await buildReleaseBundle({ bins: serverBins(), out: tempDir('out') });
    expect(again.sha256).toBe(bundle.sha256);
    expect(again.files).toBe(bundle.files);
  });
});
