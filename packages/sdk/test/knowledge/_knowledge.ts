import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { isFleetError } from '../../src/errors.ts';
import { KnowledgeDB, type KnowledgeDBOptions } from '../../src/knowledge/knowledge-db.ts';
import type { ErrorCode } from '../../src/schemas/error.ts';
import { FactInput, type FactInputInit } from '../../src/schemas/fact.ts';
import type { Change } from '../../src/schemas/sync.ts';

/** 2025-01-01T12:00:00.000Z: every test clock starts here. */
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

let dir: string | undefined;
let files = 0;

/** A fresh database path in a temp directory removed when the test process exits. */
export function freshPath(): string {
  if (!dir) {
    const created = mkdtempSync(join(tmpdir(), 'fleet-knowledge-'));
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
    dir = created;
  }
  files += 1;
  return join(dir, `knowledge-${files}.db`);
}

/** A physical clock the test moves by hand. */
export interface TestClock {
  ms: number;
  now: () => number;
}

export function testClock(start = T0): TestClock {
  const clock: TestClock = { ms: start, now: () => clock.ms };
  return clock;
}

const opened: KnowledgeDB[] = [];

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

/** Opens a KnowledgeDB on a fresh file (or `options.path`), closed after the test. */
export function openDb(options: Partial<KnowledgeDBOptions> = {}): KnowledgeDB {
  const db = new KnowledgeDB({ path: freshPath(), ...options });
  opened.push(db);
  return db;
}

/** A fact input as the server would pass it: parsed by the schema. */
export const fact = (init: FactInputInit) => FactInput.parse(init);

/** Every change of a node's feed. */
export function allChanges(db: KnowledgeDB): Change[] {
  return db.changes(0, 5000).changes;
}

/** The state of every key (live or tombstone) without the node-local seq, sorted by key. */
export function snapshot(db: KnowledgeDB) {
  return allChanges(db)
    .map(({ seq: _, ...rest }) => rest)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Runs `fn` and returns the FleetError it throws, failing the test when it throws nothing else. */
export function fleetErrorOf(fn: () => unknown, code: ErrorCode) {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isFleetError(caught), `expected a FleetError, got ${String(caught)}`).toBe(true);
  if (!isFleetError(caught)) throw caught;
  expect(caught.code).toBe(code);
  return caught;
}
