import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { SendInput } from '@fleet/sdk';
import { SqliteMessageStore } from '@fleet/sdk/stores';
import { reportMissing } from '@fleet/test-utils/system-deps';
import { afterEach, expect, test } from 'vitest';
import { createBusServer } from '../src/server.ts';

const isRoot = process.getuid?.() === 0;
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bus-storage-'));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A bus server over `store` on port 0, and every line it logs. */
async function busOver(store: SqliteMessageStore) {
  const lines: string[] = [];
  const log = (...args: unknown[]) => lines.push(format(...args));
  const server = createBusServer({ store, logger: { info: log, warn: log, error: log } });
  const { url } = await server.listen({ port: 0 });
  closers.push(() => server.close());
  const send = async (payload: unknown) => {
    const response = await fetch(`${url}/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'a', to: 'b', payload }),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
  };
  const status = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, body: await response.json() };
  };
  return { url, lines, send, status };
}

/** The lines the answers to requests logged (the sweeper logs its failure once, apart). */
const answerLines = (lines: string[]) => lines.filter((line) => !line.startsWith('sweep'));

test('a full disk answers 503 unavailable (disk_full) with Retry-After, one log line, /health 503, and recovers once space is freed', async (context) => {
  if (!isRoot) return context.skip(reportMissing('mounting a small tmpfs needs root') || undefined);
  const dir = join(tempDir(), 'small');
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
  closers.push(() => {
    execFileSync('umount', ['-l', dir]);
  });
  const bus = await busOver(new SqliteMessageStore({ path: join(dir, 'bus.db') }));
  expect((await bus.send('before')).status).toBe(201);
  // Whatever space is left goes to a filler file.
  try {
    writeFileSync(join(dir, 'filler'), Buffer.alloc(4 << 20));
  } catch {}

  for (let i = 0; i < 20; i++) {
    const answer = await bus.send('x'.repeat(8000));
    expect(answer).toEqual({
      status: 503,
      retryAfter: '1',
      body: {
        error: {
          code: 'unavailable',
          message: "The message database's disk is full; writes fail until space is freed",
          details: { reason: 'disk_full' },
        },
      },
    });
  }
  const health = await bus.status('/health');
  expect(health.status).toBe(503);
  // Reads keep working, and the failed groups left the counters right.
  expect(await bus.status('/queue')).toMatchObject({ status: 200, body: { totals: { ready: 1 } } });
  expect(answerLines(bus.lines)).toEqual([
    "fleet-bus POST /message failed with unavailable: The message database's disk is full; writes fail until space is freed (database or disk is full)",
  ]);

  unlinkSync(join(dir, 'filler'));
  // The sweeper's write (every second) finds the space again: /health recovers without a send.
  await expect.poll(async () => (await bus.status('/health')).status, { timeout: 5_000 }).toBe(200);
  expect((await bus.send('after')).status).toBe(201);
  expect(await bus.status('/queue')).toMatchObject({ status: 200, body: { totals: { ready: 2 } } });
});

test('a read-only database file answers 503 unavailable (read_only) and /health 503, reads still work', async () => {
  const dir = tempDir();
  const path = join(dir, 'bus.db');
  const setup = new SqliteMessageStore({ path });
  await setup.send(SendInput.parse({ from: 'a', to: 'b', payload: 'before' }));
  await setup.close();
  chmodSync(path, 0o444);
  // Root writes a file whatever its mode: open it as nobody, as a bus run by a user without write access would.
  chmodSync(dir, 0o777);
  if (isRoot) process.seteuid?.(65534);
  let store: SqliteMessageStore;
  try {
    store = new SqliteMessageStore({ path });
  } finally {
    if (isRoot) process.seteuid?.(0);
  }
  const bus = await busOver(store);

  const answer = await bus.send('x');
  expect(answer).toEqual({
    status: 503,
    retryAfter: '1',
    body: {
      error: {
        code: 'unavailable',
        message: 'The message database is read-only; writes fail until it is writable again',
        details: { reason: 'read_only' },
      },
    },
  });
  expect((await bus.status('/health')).status).toBe(503);
  expect(await bus.status('/queue')).toMatchObject({ status: 200, body: { totals: { ready: 1 } } });
  expect(answerLines(bus.lines)).toEqual([
    'fleet-bus POST /message failed with unavailable: The message database is read-only; writes fail until it is writable again (attempt to write a readonly database)',
  ]);
});

test('a write lock another process holds past busy_timeout answers 503 unavailable (locked), and /health recovers once it is released', async () => {
  const path = join(tempDir(), 'bus.db');
  const bus = await busOver(new SqliteMessageStore({ path }));
  expect((await bus.send('before')).status).toBe(201);
  const Database = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');
  const other = new Database(path);
  closers.push(() => {
    other.close();
  });
  other.exec('BEGIN IMMEDIATE');

  // The store waits its busy_timeout (5 s) for the lock, then gives up.
  const answer = await bus.send('while locked');
  expect(answer).toEqual({
    status: 503,
    retryAfter: '1',
    body: {
      error: {
        code: 'unavailable',
        message: 'The message database is locked by another process; try again later',
        details: { reason: 'locked' },
      },
    },
  });
  expect((await bus.status('/health')).status).toBe(503);
  other.exec('COMMIT');
  // The next write that goes through (the sweeper's, every second, or a send) clears it.
  await expect.poll(async () => (await bus.status('/health')).status, { timeout: 5_000 }).toBe(200);
  expect((await bus.send('after')).status).toBe(201);
  // Every wait for the lock blocks the event loop for 5 s, so this test spans more than one 10 s
  // window of the outage log: a line per window at most, each one line without a stack.
  const lines = answerLines(bus.lines);
  expect(lines[0]).toBe(
    'fleet-bus POST /message failed with unavailable: The message database is locked by another process; try again later (database is locked)',
  );
  expect(lines.length).toBeLessThanOrEqual(3);
  for (const line of lines)
    expect(line).toMatch(/failed with unavailable: The message database is locked .*\(database is locked\)$/);
}, 30_000);
