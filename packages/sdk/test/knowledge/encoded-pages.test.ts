import { describe, expect, test } from 'vitest';
import { EncodedJson } from '../../src/contract/encoded-json.ts';
import { knowledgeRoutes } from '../../src/knowledge/routes.ts';
import type { Change } from '../../src/schemas/sync.ts';
import { fact, openDb, testClock } from './_knowledge.ts';

// The pages the server sends are spliced from the stored JSON text instead of being decoded and
// serialized again: they must be byte for byte what JSON.stringify of the object pages gives.

const awkwardValues: unknown[] = [
  { b: 1, 2: 'two', 1: 'one', nested: { '': [], 'quote"d': 'back\\slash' } },
  'lone surrogate \ud800 and emoji 😀 and \u2028 line separator',
  [1e21, -0, 0.1, -1.5e-7, Number.MAX_SAFE_INTEGER],
  null,
  true,
  '',
  [[], {}, [null]],
  { text: '</script><b>"\n\t\u0001' },
];

function seeded() {
  const clock = testClock();
  const db = openDb({ nodeId: 'encoder', now: clock.now });
  awkwardValues.forEach((value, index) => {
    db.put(fact({ key: `values/${index}/ключ "é"`, value: value as never, tags: index % 2 ? ['odd', 'x:y/z'] : [] }));
    clock.ms += 1;
  });
  db.put(fact({ key: 'ttl/short', value: { expires: true }, ttlSeconds: 3600 }));
  db.put(fact({ key: 'gone', value: 1 }));
  db.delete('gone');
  const remote: Change = {
    seq: 1,
    key: 'remote/fact',
    value: { from: 'elsewhere' },
    tags: ['remote'],
    source: 'other-node',
    version: `${String(clock.ms).padStart(15, '0')}-00003`,
    updatedAt: new Date(clock.ms).toISOString(),
    expiresAt: null,
    deleted: false,
  };
  db.applyChanges([remote], 'other-node');
  return db;
}

describe('encoded pages', () => {
  test('serveQuery is the JSON of the query page, for every filter and page', () => {
    const db = seeded();
    for (const query of [{}, { limit: 3 }, { prefix: 'values/' }, { tag: 'odd' }, { q: 'elsewhere' }]) {
      let cursor: string | undefined;
      do {
        const page = db.query({ ...query, ...(cursor ? { cursor } : {}) });
        const encoded = db.serveQuery({ ...query, ...(cursor ? { cursor } : {}) });
        const expected = { facts: page.items, count: page.items.length, nextCursor: page.nextCursor };
        expect(encoded.text).toBe(JSON.stringify(expected));
        expect(knowledgeRoutes.query.response.parse(encoded.decode())).toEqual(expected);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
  });

  test('servePull is the JSON of the feed page and of the snapshot page', () => {
    const db = seeded();
    const feed = db.servePull({ nodeId: 'puller', since: 0, limit: 4 });
    expect(feed.text).toBe(JSON.stringify(db.changes(0, 4)));
    const rest = db.servePull({ nodeId: 'puller', since: 4, limit: 100 });
    expect(rest.text).toBe(JSON.stringify(db.changes(4, 100)));
    expect(rest.decode().changes.some((change) => change.deleted)).toBe(true);

    const snapshot = db.servePull({ nodeId: 'puller', since: 0, limit: 5, afterKey: null });
    expect(snapshot.text).toBe(JSON.stringify(db.snapshotPage(null, 5)));
    const next = snapshot.decode().nextKey ?? null;
    expect(next).not.toBeNull();
    const last = db.servePull({ nodeId: 'puller', since: 0, limit: 100, afterKey: next });
    expect(last.text).toBe(JSON.stringify(db.snapshotPage(next, 100)));
    expect(knowledgeRoutes.pull.response.parse(last.decode())).toEqual(db.snapshotPage(next, 100));
  });

  test('an EncodedJson nested in another value serializes as the value it encodes', () => {
    const encoded = new EncodedJson<{ a: number[] }>('{"a":[1,2]}');
    expect(JSON.stringify({ wrapped: encoded })).toBe('{"wrapped":{"a":[1,2]}}');
    expect(encoded.decode()).toEqual({ a: [1, 2] });
  });
});
