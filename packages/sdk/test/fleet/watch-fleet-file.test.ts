import { execFileSync } from 'node:child_process';
import { linkSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { type FleetFileSnapshot, type FleetFileWatcher, watchFleetFile } from '../../src/fleet/watch-fleet-file.ts';
import { yaml } from './_fleet.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A fleet file with one host and one service per name, on ports from 8000. */
function fleetText(...services: string[]): string {
  return yaml(
    'version: 1',
    'hosts:',
    '  local: { address: 127.0.0.1 }',
    'services:',
    ...services.map((name, i) => `  ${name}: { kind: custom, host: local, port: ${8000 + i} }`),
  );
}

/** A watcher over a fresh temp file, and a queue of the snapshots `onChange` got. */
async function watched(text: string | undefined, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-watch-'));
  const path = join(dir, 'fleet.yaml');
  if (text !== undefined) writeFileSync(path, text);
  const seen: FleetFileSnapshot[] = [];
  let wake: (() => void) | undefined;
  const watcher: FleetFileWatcher = await watchFleetFile(
    path,
    (snapshot) => {
      seen.push(snapshot);
      wake?.();
    },
    { env: {}, debounceMs: 10, ...options },
  );
  cleanups.push(() => {
    watcher.close();
    rmSync(dir, { recursive: true, force: true });
  });
  /** The next snapshot `onChange` gets (file system events or polling; the test timeout bounds the wait). */
  async function next(): Promise<FleetFileSnapshot> {
    while (seen.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return seen.shift()!;
  }
  return { path, dir, watcher, next, seen };
}

const names = (snapshot: FleetFileSnapshot) => Object.keys(snapshot.fleet?.services ?? {});

describe('watchFleetFile', () => {
  test('reads the file at once, then follows valid changes, keeps the last valid fleet through an invalid one, and takes the fix', async () => {
    const { path, watcher, next } = await watched(fleetText('bus'));
    expect(watcher.current).toMatchObject({ file: path, problems: [], stale: false, version: 0 });
    expect(names(watcher.current)).toEqual(['bus']);

    writeFileSync(path, fleetText('bus', 'knowledge'));
    const changed = await next();
    expect(names(changed)).toEqual(['bus', 'knowledge']);
    expect(changed).toMatchObject({ stale: false, problems: [], version: 1 });

    writeFileSync(path, `${fleetText('bus', 'knowledge')}  typo: { kind: custom, host: nowhere, port: 9000 }\n`);
    const broken = await next();
    expect(broken.fleet).toBe(changed.fleet);
    expect(broken.stale).toBe(true);
    expect(broken.problems).toMatchObject([{ file: path, line: 7, path: 'services.typo.host', severity: 'error' }]);

    writeFileSync(path, fleetText('bus', 'knowledge', 'dashboard'));
    const fixed = await next();
    expect(fixed).toMatchObject({ stale: false, problems: [], version: 3 });
    expect(names(fixed)).toEqual(['bus', 'knowledge', 'dashboard']);
    expect(watcher.current).toBe(fixed);
  });

  test('sees a file replaced by rename, the way editors save', async () => {
    const { path, dir, next } = await watched(fleetText('bus'));
    const temp = join(dir, '.fleet.yaml.swp');
    writeFileSync(temp, fleetText('gitea'));
    renameSync(temp, path);
    expect(names(await next())).toEqual(['gitea']);
  });

  test('a save by rename while the first read runs is seen: the folder is watched before that read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-watch-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The file starts as a named pipe: the first read waits in it until the test writes, so the
    // save lands inside that read every time.
    const pipe = join(dir, 'pipe');
    const path = join(dir, 'fleet.yaml');
    execFileSync('mkfifo', [pipe]);
    linkSync(pipe, path);
    const seen: FleetFileSnapshot[] = [];
    let wake: (() => void) | undefined;
    const starting = watchFleetFile(
      path,
      (snapshot) => {
        seen.push(snapshot);
        wake?.();
      },
      { env: {}, debounceMs: 10 },
    );
    const writer = await open(pipe, 'w'); // opens once the first read has opened the pipe
    const temp = join(dir, '.fleet.yaml.swp');
    writeFileSync(temp, fleetText('gitea'));
    renameSync(temp, path);
    await writer.writeFile(fleetText('bus'));
    await writer.close();
    const watcher = await starting;
    cleanups.push(() => watcher.close());
    expect(names(watcher.current)).toEqual(['bus']);
    // The test timeout bounds the wait.
    while (seen.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    expect(seen.map(names)).toEqual([['gitea']]);
    expect(watcher.current).toBe(seen[0]);
  });

  test('a missing file is one problem and no fleet; creating it loads it', async () => {
    const { path, watcher, next } = await watched(undefined);
    expect(watcher.current).toMatchObject({ fleet: undefined, stale: true });
    expect(watcher.current.problems).toMatchObject([{ file: path, line: 1, column: 1, severity: 'error' }]);
    expect(watcher.current.problems[0]?.message).toMatch(/^cannot read the fleet file: ENOENT/);
    writeFileSync(path, fleetText('bus'));
    expect(names(await next())).toEqual(['bus']);
  });

  test('a deleted file keeps the last fleet and reports it cannot be read', async () => {
    const { path, next } = await watched(fleetText('bus'));
    unlinkSync(path);
    const gone = await next();
    expect(gone.stale).toBe(true);
    expect(names(gone)).toEqual(['bus']);
    expect(gone.problems[0]?.message).toMatch(/^cannot read the fleet file/);
  });

  test('reload() reads now; the same text again calls nobody', async () => {
    // File system events wait a minute before they read: only reload() reads in this test.
    const { path, watcher, seen } = await watched(fleetText('bus'), { pollIntervalMs: 0, debounceMs: 60_000 });
    writeFileSync(path, fleetText('bus', 'ollama'));
    const snapshot = await watcher.reload();
    expect(names(snapshot)).toEqual(['bus', 'ollama']);
    expect(seen).toEqual([snapshot]);
    expect(await watcher.reload()).toBe(snapshot);
    expect(seen).toHaveLength(1);
  });

  test('warnings come with a valid fleet, which stays in use', async () => {
    const text = yaml(
      'version: 1',
      'hosts:',
      '  local: { address: 127.0.0.1 }',
      '  spare: { address: 10.0.0.9 }',
      'services:',
      '  bus: { kind: bus, host: local, port: 8650 }',
    );
    const { watcher } = await watched(text);
    expect(watcher.current.stale).toBe(false);
    expect(names(watcher.current)).toEqual(['bus']);
    expect(watcher.current.problems.map((problem) => problem.severity)).toEqual(['warning']);
  });
});
