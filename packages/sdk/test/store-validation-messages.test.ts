import { describe, expect, test } from 'vitest';
import { MemoryMessageStore } from '../src/bus/memory-store.ts';
import { isFleetError } from '../src/errors.ts';
import { parseHlc } from '../src/knowledge/hlc.ts';
import { fleetErrorOf, openDb } from './knowledge/_knowledge.ts';

async function rejectionOf(promise: Promise<unknown>) {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!isFleetError(caught)) throw new Error(`expected a FleetError, got ${String(caught)}`);
  return caught;
}

/** What every `validation_failed` answer looks like: the message starts with the first issue's field. */
function expectNamesField(error: { code: string; message: string; details?: unknown }, field: string) {
  expect(error.code).toBe('validation_failed');
  expect(error.details).toMatchObject({ issues: [{ field }] });
  expect(error.message.startsWith(`${field}: `), error.message).toBe(true);
}

describe('validation errors thrown by the stores read like schema failures: `<field>: <what is wrong>`', () => {
  test('a dead-letter or audit cursor the bus never returned', async () => {
    const store = new MemoryMessageStore();
    const dead = await rejectionOf(store.deadLetters({ limit: 10, cursor: 'not-a-cursor' }));
    expectNamesField(dead, 'cursor');
    expect(dead.message).toBe('cursor: not a cursor this list returned');
    expectNamesField(await rejectionOf(store.audit({ limit: 10, cursor: 'abc' })), 'cursor');
  });

  test('a fact cursor, a full-text query SQLite cannot parse, a snapshot pull that does not start at 0', () => {
    const db = openDb();
    expectNamesField(
      fleetErrorOf(() => db.query({ cursor: 'not-a-cursor' }), 'validation_failed'),
      'cursor',
    );
    expectNamesField(
      fleetErrorOf(() => db.query({ q: 'AND' }), 'validation_failed'),
      'q',
    );
    expectNamesField(
      fleetErrorOf(() => db.servePull({ nodeId: 'peer', since: 5, limit: 10, afterKey: 'a' }), 'validation_failed'),
      'afterKey',
    );
  });

  test('a version that is not a hybrid logical clock timestamp', () => {
    expectNamesField(
      fleetErrorOf(() => parseHlc('yesterday', 'since'), 'validation_failed'),
      'since',
    );
  });
});
