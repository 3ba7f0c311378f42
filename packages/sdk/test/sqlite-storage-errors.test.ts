import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { asStorageError, storageFailureOf } from '../src/bus/sqlite/storage-errors.ts';
import { isFleetError } from '../src/errors.ts';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof import('better-sqlite3');
const dir = mkdtempSync(join(tmpdir(), 'fleet-storage-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `run` throws. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

test('a write lock another connection holds is unavailable (locked), with the SqliteError as cause', () => {
  const path = join(dir, 'locked.db');
  const holder = new Database(path);
  const writer = new Database(path, { timeout: 0 });
  holder.exec('CREATE TABLE t (x); BEGIN IMMEDIATE');
  const busy = thrownBy(() => writer.prepare('INSERT INTO t VALUES (1)').run());
  holder.exec('COMMIT');
  holder.close();
  writer.close();
  const mapped = asStorageError(busy);
  expect(isFleetError(mapped) && mapped.code).toBe('unavailable');
  expect(mapped).toMatchObject({
    message: 'The message database is locked by another process; try again later',
    details: { reason: 'locked' },
    cause: busy,
  });
});

test('a constraint failure stays the SqliteError it is (a bug, answered 500)', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (x PRIMARY KEY); INSERT INTO t VALUES (1)');
  const error = thrownBy(() => db.prepare('INSERT INTO t VALUES (1)').run());
  db.close();
  expect(asStorageError(error)).toBe(error);
});

test('extended codes count as their primary code', () => {
  expect(storageFailureOf({ code: 'SQLITE_IOERR_WRITE' })).toBe('io_error');
  expect(storageFailureOf({ code: 'SQLITE_READONLY_DBMOVED' })).toBe('read_only');
  expect(storageFailureOf({ code: 'SQLITE_BUSY_SNAPSHOT' })).toBe('locked');
  expect(storageFailureOf({ code: 'SQLITE_FULL' })).toBe('disk_full');
  expect(storageFailureOf({ code: 'SQLITE_CORRUPT' })).toBeUndefined();
  expect(storageFailureOf(new Error('no code'))).toBeUndefined();
});
