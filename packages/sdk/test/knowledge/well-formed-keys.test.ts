import { describe, expect, test } from 'vitest';
import type { FactInput } from '../../src/schemas/fact.ts';
import type { Change } from '../../src/schemas/sync.ts';
import { fleetErrorOf, openDb } from './_knowledge.ts';

// SQLite stores a lone surrogate as bytes that are not UTF-8 and reads them back as U+FFFD: the key
// a store listed could not be read or deleted by, and `k\ud800` and `k\udbff` became one key on a
// peer. The store's own check (for callers that skip the schema) refuses such a key.

const input = (key: string): FactInput => ({ key, value: 1, tags: [], ttlSeconds: null });

function change(key: string): Change {
  return {
    seq: 1,
    key,
    value: 1,
    tags: [],
    source: 'node-b',
    version: '001764067200123-00000',
    updatedAt: '2025-11-25T10:40:00.123Z',
    expiresAt: null,
    deleted: false,
  };
}

describe('the knowledge store refuses a fact key with a lone surrogate from a direct caller', () => {
  test.each(['k\ud800', 'k\udbff', 'k\udc00'])('put of %j names key and stores nothing', (key) => {
    const db = openDb();
    const error = fleetErrorOf(() => db.put(input(key)), 'validation_failed');
    expect(error.details).toMatchObject({ issues: [{ field: 'key' }] });
    expect(db.seq()).toBe(0);
  });

  test('a batch put names the item and stores none of the batch', () => {
    const db = openDb();
    const error = fleetErrorOf(() => db.putBatch([input('ok'), input('bad\ud800')]), 'validation_failed');
    expect(error.details).toMatchObject({ issues: [{ field: 'facts.1.key' }] });
    expect(db.seq()).toBe(0);
  });

  test('applied changes (a push) name the change and store none of them', () => {
    const db = openDb();
    const error = fleetErrorOf(() => db.applyChanges([change('ok'), change('k\udbff')], 'node-b'), 'validation_failed');
    expect(error.details).toMatchObject({ issues: [{ field: 'changes.1.key' }] });
    expect(db.seq()).toBe(0);
  });

  test('a key with a surrogate pair is stored and read back as given', () => {
    const db = openDb();
    db.put(input('k\ud800\udc00'));
    expect(db.get('k\ud800\udc00')?.key).toBe('k\ud800\udc00');
    expect(db.query({}).items.map((fact) => fact.key)).toEqual(['k\ud800\udc00']);
  });
});
