import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { expect, test } from 'vitest';
import { runMigrations } from '../../src/internal/sqlite-migrations.ts';

const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

test('pending migrations run in one transaction: one that fails leaves the file at its old version', () => {
  const db = new Driver(':memory:');
  const failing = [
    (d: Database.Database) => d.exec('CREATE TABLE first (x)'),
    (d: Database.Database) => d.exec('CREATE TABLE second (x)'),
    () => {
      throw new Error('migration 3 failed');
    },
  ];
  expect(() => runMigrations(db, failing, 'test store')).toThrow('migration 3 failed');
  expect(db.pragma('user_version', { simple: true })).toBe(0);
  expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual([]);
  db.close();
});

test('a newer database is refused naming the file, the store and both versions', () => {
  const db = new Driver(':memory:');
  db.pragma('user_version = 9');
  expect(() => runMigrations(db, [() => undefined], 'test store')).toThrow(
    /test store schema version 9, newer than this SDK supports \(1\)/,
  );
  db.close();
});
