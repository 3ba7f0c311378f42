import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLEET_BUS_BIN, spawnBus } from '@fleet/test-utils/spawn-bus';
import { afterAll, describe, expect, test } from 'vitest';

// These run the BUILT bin (`npm test` builds first), as a user would.
const dir = mkdtempSync(join(tmpdir(), 'fleet-bus-refusals-'));
chmodSync(dir, 0o755);
const cleanEnv = { FLEET_BUS_URL: '', FLEET_BUS_TOKEN: '', FLEET_BUS_TOKENS: '', FLEET_BUS_DB: '' };
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

// Root writes through any permission: the read-only cases run the bin as root without the
// capabilities that override file permissions (not as another user, who might not be able to read
// this checkout: a CI clone in a 0700 temp directory, say).
const asRoot = process.getuid?.() === 0;
const WITHOUT_OVERRIDES = [
  '--inh-caps=-dac_override,-dac_read_search',
  '--bounding-set=-dac_override,-dac_read_search',
];

/**
 * Runs `fleet-bus server --db <db>` (as root without permission overrides when this is root) until
 * it prints its URL (started) or exits (refused).
 */
function start(db: string, unprivileged = false): Promise<{ started: boolean; stderr: string }> {
  const bus = [FLEET_BUS_BIN, 'server', '--port', '0', '--db', db];
  const [command, args] =
    unprivileged && asRoot
      ? ['setpriv', [...WITHOUT_OVERRIDES, '--', process.execPath, ...bus]]
      : [process.execPath, bus];
  const child = spawn(command as string, args as string[], {
    env: { ...process.env, ...cleanEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        child.kill('SIGTERM');
        resolve({ started: true, stderr });
      }
    });
    child.on('exit', () => resolve({ started: false, stderr }));
  });
}

/** A bus file made by a bus that has stopped, in a fresh directory. */
async function busFile(name: string): Promise<{ folder: string; db: string }> {
  const folder = join(dir, name);
  mkdirSync(folder);
  const db = join(folder, 'bus.db');
  const bus = await spawnBus(['--db', db], cleanEnv);
  bus.child.kill('SIGTERM');
  await bus.exited;
  return { folder, db };
}

/** The one line a refused `fleet-bus server` printed. */
function refusalLine(result: { started: boolean; stderr: string }): string {
  expect(result.started).toBe(false);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('fleet-bus server refuses a SQLite file it cannot write, at start', () => {
  test('a read-only database file', async () => {
    const { db } = await busFile('read-only-file');
    chmodSync(db, 0o444);
    const line = refusalLine(await start(db, true));
    expect(line).toContain(db);
    expect(line).toMatch(/read-only/);
  });

  test('a read-only directory, where SQLite cannot create the -wal file', async () => {
    const { folder, db } = await busFile('read-only-dir');
    chmodSync(db, 0o666);
    chmodSync(folder, 0o555);
    const line = refusalLine(await start(db, true));
    expect(line).toContain(db);
    expect(line).toMatch(/directory .* read-only|read-only directory/);
  });
});

describe('fleet-bus server: one process per SQLite file', () => {
  test('a second server on the same file is refused in one line; the lock dies with the first', async () => {
    const db = join(dir, 'shared', 'bus.db');
    const first = await spawnBus(['--db', db], cleanEnv);
    children.push(first.child);
    const line = refusalLine(await start(db));
    expect(line).toContain(db);
    expect(line).toMatch(/open already/);
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await start(db)).started).toBe(true);
  });
});
