import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { KnowledgeDB } from '../../src/knowledge/knowledge-db.ts';
import { FactInput, type FactInput as FactInputType, FactKey } from '../../src/schemas/fact.ts';
import type { Change } from '../../src/schemas/sync.ts';
import { allChanges, fact, fleetErrorOf, freshPath, openDb, T0, testClock } from './_knowledge.ts';

const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

function countRows(path: string, sql: string): number {
  const raw = new Driver(path, { readonly: true });
  try {
    return (raw.prepare(sql).get() as { n: number }).n;
  } finally {
    raw.close();
  }
}

describe('put, get, delete', () => {
  test('put stores a fact versioned by this node and get returns it', () => {
    const clock = testClock();
    const db = openDb({ nodeId: 'node-a', now: clock.now });
    const stored = db.put(
      fact({ key: 'hosts/ezra/gpu', value: { model: 'A100', count: 2 }, tags: ['hw', 'gpu', 'hw'] }),
    );
    expect(stored).toEqual({
      key: 'hosts/ezra/gpu',
      value: { model: 'A100', count: 2 },
      tags: ['gpu', 'hw'],
      source: 'node-a',
      version: `${String(T0).padStart(15, '0')}-00000`,
      updatedAt: new Date(T0).toISOString(),
      expiresAt: null,
    });
    expect(db.get('hosts/ezra/gpu')).toEqual(stored);
    expect(db.get('hosts/ezra')).toBeUndefined();
  });

  test('a second put of the same key replaces it with a newer version', () => {
    const db = openDb({ now: testClock().now });
    const first = db.put(fact({ key: 'k', value: 1, tags: ['a'] }));
    const second = db.put(fact({ key: 'k', value: 2 }));
    expect(second.version > first.version).toBe(true);
    expect(db.get('k')).toMatchObject({ value: 2, tags: [] });
    expect(db.query({ tag: 'a' }).items).toEqual([]);
  });

  test('JSON values of every kind round-trip, including null and nested arrays', () => {
    const db = openDb();
    const values = [null, 0, -1.5, true, false, '', 'text', [], [1, [2, { a: null }]], { nested: { deep: ['x'] } }];
    values.forEach((value, index) => {
      db.put(fact({ key: `values/${index}`, value }));
    });
    values.forEach((value, index) => {
      expect(db.get(`values/${index}`)?.value).toEqual(value);
    });
  });

  test('delete writes a tombstone: the fact is gone and the feed carries the deletion', () => {
    const db = openDb({ nodeId: 'node-a' });
    const put = db.put(fact({ key: 'k', value: 1, tags: ['t'] }));
    const result = db.delete('k');
    expect(result.deleted).toBe(true);
    expect(result.version! > put.version).toBe(true);
    expect(db.get('k')).toBeUndefined();
    expect(db.query({}).items).toEqual([]);
    expect(db.query({ tag: 't' }).items).toEqual([]);
    expect(allChanges(db)).toEqual([
      expect.objectContaining({
        key: 'k',
        deleted: true,
        value: null,
        tags: [],
        version: result.version,
        source: 'node-a',
      }),
    ]);
  });

  test('deleting a missing or already deleted key writes nothing', () => {
    const db = openDb();
    expect(db.delete('missing')).toEqual({ key: 'missing', deleted: false, version: null });
    db.put(fact({ key: 'k', value: 1 }));
    db.delete('k');
    const seq = db.seq();
    expect(db.delete('k')).toEqual({ key: 'k', deleted: false, version: null });
    expect(db.seq()).toBe(seq);
  });

  test('a put after a delete brings the key back with a newer version', () => {
    const db = openDb();
    db.put(fact({ key: 'k', value: 1 }));
    const deleted = db.delete('k');
    const again = db.put(fact({ key: 'k', value: 2 }));
    expect(again.version > deleted.version!).toBe(true);
    expect(db.get('k')?.value).toBe(2);
  });

  test("keys with '/' segments and unicode are stored, found by prefix and ordered by code point", () => {
    const db = openDb();
    const keys = ['ünïcode/ключ', 'a/b/c', 'a/b', 'emoji/😀/x', 'a/é', 'a/z', 'cjk/日本語'];
    for (const key of keys) db.put(fact({ key, value: key }));
    for (const key of keys) expect(db.get(key)?.value).toBe(key);
    expect(db.query({ prefix: 'a/' }).items.map((f) => f.key)).toEqual(['a/b', 'a/b/c', 'a/z', 'a/é']);
    expect(db.query({ prefix: 'emoji/😀' }).items.map((f) => f.key)).toEqual(['emoji/😀/x']);
    expect(db.query({ prefix: 'ünïcode/' }).items.map((f) => f.key)).toEqual(['ünïcode/ключ']);
  });
});

describe('batch put', () => {
  test('stores every fact in one transaction with increasing versions', () => {
    const db = openDb();
    const facts = db.putBatch([fact({ key: 'b', value: 1 }), fact({ key: 'a', value: 2 })]);
    expect(facts.map((f) => f.key)).toEqual(['b', 'a']);
    expect(facts[1]!.version > facts[0]!.version).toBe(true);
    expect(db.query({}).items.map((f) => f.value)).toEqual([2, 1]);
  });

  test('one invalid item stores nothing and the error names its index and field', () => {
    const db = openDb();
    db.put(fact({ key: 'before', value: 0 }));
    const seq = db.seq();
    const bad = { key: 'bad//key', value: 1, tags: [], ttlSeconds: null } as FactInputType;
    const error = fleetErrorOf(
      () => db.putBatch([fact({ key: 'x', value: 1 }), fact({ key: 'y', value: 2 }), bad]),
      'validation_failed',
    );
    expect(error.details).toMatchObject({ issues: [{ field: 'facts.2.key' }] });
    expect(db.get('x')).toBeUndefined();
    expect(db.seq()).toBe(seq);
    expect(db.query({}).items.map((f) => f.key)).toEqual(['before']);
  });

  test('a failure inside the transaction rolls back every item and the feed position', () => {
    const path = freshPath();
    const db = new KnowledgeDB({ path });
    db.put(fact({ key: 'before', value: 0 }));
    db.close();
    // A second connection makes the third insert fail inside the write transaction.
    const raw = new Driver(path);
    raw.exec(`CREATE TRIGGER fail_third BEFORE INSERT ON facts WHEN new.key = 'third'
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    raw.close();
    const fresh = new KnowledgeDB({ path });
    try {
      const seq = fresh.seq();
      expect(() =>
        fresh.putBatch([
          fact({ key: 'first', value: 1 }),
          fact({ key: 'second', value: 2 }),
          fact({ key: 'third', value: 3 }),
        ]),
      ).toThrow(/injected failure/);
      expect(fresh.seq()).toBe(seq);
      expect(fresh.get('first')).toBeUndefined();
      expect(fresh.changes(0, 10).changes.map((c) => c.key)).toEqual(['before']);
      expect(fresh.put(fact({ key: 'after', value: 4 }))).toMatchObject({ key: 'after' });
      expect(fresh.changes(seq, 10).changes).toEqual([expect.objectContaining({ key: 'after', seq: seq + 1 })]);
    } finally {
      fresh.close();
    }
  });
});

describe('validation', () => {
  const cases: Array<[string, Partial<FactInputType>, string]> = [
    ['an empty-segment key', { key: 'a//b' }, 'key'],
    ['a leading slash', { key: '/a' }, 'key'],
    ['a control character in the key', { key: 'a\u0001b' }, 'key'],
    ['a DEL character in the key', { key: 'a\u007fb' }, 'key'],
    ['a tag with a space', { tags: ['has space'] }, 'tags.0'],
    ['a tag starting with punctuation', { tags: ['ok', '-bad'] }, 'tags.1'],
    ['a value that is not JSON', { value: undefined as never }, 'value'],
    ['a negative ttl', { ttlSeconds: -1 }, 'ttlSeconds'],
  ];

  test.each(cases)('the store rejects %s, naming the field', (_name, patch, field) => {
    const db = openDb();
    const input = { key: 'ok', value: 1, tags: [], ttlSeconds: null, ...patch } as FactInputType;
    const error = fleetErrorOf(() => db.put(input), 'validation_failed');
    expect(error.details).toMatchObject({ issues: [{ field }] });
    expect(db.seq()).toBe(0);
  });

  test('the store rejects a value larger than 256 KiB as JSON', () => {
    const db = openDb();
    const input = { key: 'big', value: 'x'.repeat(256 * 1024), tags: [], ttlSeconds: null } as FactInputType;
    expect(fleetErrorOf(() => db.put(input), 'validation_failed').details).toMatchObject({
      issues: [{ field: 'value' }],
    });
  });

  test('the FactInput schema rejects bad keys, tags and control characters before the store', () => {
    for (const key of ['', '/lead', 'trail/', 'a//b', 'tab\there', 'nl\nhere', 'x'.repeat(513)]) {
      expect(FactKey.safeParse(key).success, key).toBe(false);
      expect(FactInput.safeParse({ key, value: 1 }).success, key).toBe(false);
    }
    for (const tags of [['has space'], ['-lead'], ['x'.repeat(65)], ['ctl\u0007']]) {
      expect(FactInput.safeParse({ key: 'k', value: 1, tags }).success, tags[0]).toBe(false);
    }
    expect(FactInput.safeParse({ key: 'k', value: 1, extra: true }).success).toBe(false);
    expect(FactInput.parse({ key: 'a/ü/😀', value: 1, tags: ['b', 'a', 'b'] })).toEqual({
      key: 'a/ü/😀',
      value: 1,
      tags: ['a', 'b'],
      ttlSeconds: null,
    });
  });

  test('an explicit invalid node id is refused', () => {
    fleetErrorOf(() => new KnowledgeDB({ path: freshPath(), nodeId: 'has space' }), 'validation_failed');
  });
});

describe('query', () => {
  function seeded() {
    const clock = testClock();
    const db = openDb({ now: clock.now });
    db.putBatch([
      fact({ key: 'hosts/ezra/gpu', value: { model: 'A100' }, tags: ['hw'] }),
      fact({ key: 'hosts/ezra/ollama', value: { models: ['llama3', 'qwen'] }, tags: ['svc'] }),
      fact({ key: 'hosts/nova/gpu', value: { model: 'H100' }, tags: ['hw'] }),
      fact({ key: 'hostsx/other', value: 'not under hosts/' }),
      fact({ key: 'agents/planner', value: 'plans with llama3', tags: ['agent', 'svc'] }),
    ]);
    return { db, clock };
  }

  test('by prefix: only keys under it, ordered by key', () => {
    const { db } = seeded();
    expect(db.query({ prefix: 'hosts/' }).items.map((f) => f.key)).toEqual([
      'hosts/ezra/gpu',
      'hosts/ezra/ollama',
      'hosts/nova/gpu',
    ]);
    expect(db.query({ prefix: 'hosts' }).items).toHaveLength(4);
    expect(db.query({ prefix: 'nothing/' }).items).toEqual([]);
  });

  test('by tag, alone and combined with a prefix', () => {
    const { db } = seeded();
    expect(db.query({ tag: 'svc' }).items.map((f) => f.key)).toEqual(['agents/planner', 'hosts/ezra/ollama']);
    expect(db.query({ tag: 'svc', prefix: 'hosts/' }).items.map((f) => f.key)).toEqual(['hosts/ezra/ollama']);
    expect(db.query({ tag: 'unknown' }).items).toEqual([]);
  });

  test('by full text over keys and values, combined with tag and prefix', () => {
    const { db } = seeded();
    expect(db.query({ q: 'llama3' }).items.map((f) => f.key)).toEqual(['agents/planner', 'hosts/ezra/ollama']);
    expect(db.query({ q: 'ezra' }).items.map((f) => f.key)).toEqual(['hosts/ezra/gpu', 'hosts/ezra/ollama']);
    expect(db.query({ q: 'llama3', tag: 'agent' }).items.map((f) => f.key)).toEqual(['agents/planner']);
    expect(db.query({ q: 'llama3', prefix: 'hosts/' }).items.map((f) => f.key)).toEqual(['hosts/ezra/ollama']);
    expect(db.query({ q: 'gpu NOT nova' }).items.map((f) => f.key)).toEqual(['hosts/ezra/gpu']);
  });

  test('full text no longer finds overwritten or deleted values', () => {
    const { db } = seeded();
    db.put(fact({ key: 'hosts/nova/gpu', value: { model: 'B200' } }));
    db.delete('hosts/ezra/gpu');
    expect(db.query({ q: 'H100' }).items).toEqual([]);
    expect(db.query({ q: 'A100' }).items).toEqual([]);
    expect(db.query({ q: 'B200' }).items.map((f) => f.key)).toEqual(['hosts/nova/gpu']);
  });

  test('bad full-text syntax is a validation error on q', () => {
    const { db } = seeded();
    for (const q of ['"unbalanced', 'AND', 'nocolumn:x']) {
      const error = fleetErrorOf(() => db.query({ q }), 'validation_failed');
      expect(error.details).toMatchObject({ issues: [{ field: 'q' }] });
    }
  });

  test('updatedSince keeps facts updated at or after the instant', () => {
    const { db, clock } = seeded();
    clock.ms = T0 + 60_000;
    db.put(fact({ key: 'later', value: 1 }));
    expect(db.query({ updatedSince: new Date(T0 + 60_000).toISOString() }).items.map((f) => f.key)).toEqual(['later']);
    expect(db.query({ updatedSince: new Date(T0 + 60_001).toISOString() }).items).toEqual([]);
    expect(db.query({ updatedSince: new Date(T0).toISOString() }).items).toHaveLength(6);
  });

  test('updatedSince pages in key order whether few or many facts match', () => {
    const clock = testClock();
    const db = openDb({ now: clock.now });
    const key = (i: number) => `bulk/${String((i * 7919) % 2500).padStart(4, '0')}`;
    for (let b = 0; b < 5; b++)
      db.putBatch(Array.from({ length: 500 }, (_, j) => fact({ key: key(b * 500 + j), value: 1 })));
    clock.ms = T0 + 1000;
    const recent = ['recent/c', 'recent/a', 'recent/b'];
    db.putBatch(recent.map((k) => fact({ key: k, value: 2 })));
    // 2,503 facts match: a key-ordered scan.
    const many = db.query({ updatedSince: new Date(T0).toISOString(), limit: 100 });
    const all = [...Array.from({ length: 2500 }, (_, i) => key(i)), ...recent].sort();
    expect(many.items.map((f) => f.key)).toEqual(all.slice(0, 100));
    const next = db.query({ updatedSince: new Date(T0).toISOString(), limit: 100, cursor: many.nextCursor! });
    expect(next.items.map((f) => f.key)).toEqual(all.slice(100, 200));
    // 3 facts match: read by time, sorted by key.
    const few = db.query({ updatedSince: new Date(T0 + 1000).toISOString(), limit: 2 });
    expect(few.items.map((f) => f.key)).toEqual(['recent/a', 'recent/b']);
    expect(db.query({ updatedSince: new Date(T0 + 1000).toISOString(), cursor: few.nextCursor! }).items).toEqual([
      expect.objectContaining({ key: 'recent/c' }),
    ]);
  });

  test('pagination walks every match once, in key order, with a stable cursor', () => {
    const db = openDb();
    const keys = Array.from({ length: 25 }, (_, i) => `page/${String(i).padStart(2, '0')}`).reverse();
    db.putBatch(keys.map((key) => fact({ key, value: 'match', tags: ['t'] })));
    for (const filter of [{ prefix: 'page/' }, { tag: 't' }, { q: 'match' }]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = db.query({ ...filter, limit: 10, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((f) => f.key));
        cursor = page.nextCursor ?? undefined;
        pages++;
        // A write between pages does not disturb the order of the rest.
        if (pages === 1) db.put(fact({ key: 'page/00', value: 'match', tags: ['t'] }));
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...keys].sort());
    }
  });

  test('the last page has a null cursor, and a malformed cursor is a validation error', () => {
    const { db } = seeded();
    expect(db.query({ limit: 5 }).nextCursor).toBeNull();
    expect(db.query({ limit: 4 }).nextCursor).not.toBeNull();
    const error = fleetErrorOf(() => db.query({ cursor: '!!not-base64!!' }), 'validation_failed');
    expect(error.details).toMatchObject({ issues: [{ field: 'cursor' }] });
  });
});

describe('secondary indexes', () => {
  test('tag rows and full-text entries follow every put, overwrite, delete and remote change', () => {
    const path = freshPath();
    const clock = testClock();
    const db = openDb({ path, nodeId: 'local', now: clock.now });
    const words = ['alpha', 'bravo', 'charlie', 'delta'];
    const tags = ['t1', 't2', 't3'];
    const model = new Map<string, { word: string; tags: string[] }>();
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let step = 0; step < 400; step++) {
      clock.ms += 1;
      const key = `k/${random(15)}`;
      const word = words[random(words.length)]!;
      const chosen = tags.filter(() => random(2) === 0);
      const op = random(4);
      if (op === 0) {
        db.delete(key);
        model.delete(key);
      } else if (op === 1) {
        const version = `${String(clock.ms + 1).padStart(15, '0')}-00000`;
        const deleted = random(3) === 0;
        db.applyChanges(
          [
            {
              seq: 1,
              key,
              value: deleted ? null : { word },
              tags: deleted ? [] : chosen,
              source: 'remote',
              version,
              updatedAt: new Date(clock.ms + 1).toISOString(),
              expiresAt: null,
              deleted,
            },
          ],
          'remote',
        );
        if (deleted) model.delete(key);
        else model.set(key, { word, tags: chosen });
      } else {
        db.put(fact({ key, value: { word }, tags: chosen }));
        model.set(key, { word, tags: chosen });
      }
      if (step % 50 !== 49) continue;
      const expectKeys = (keep: (entry: { word: string; tags: string[] }) => boolean) =>
        [...model.entries()]
          .filter(([, entry]) => keep(entry))
          .map(([k]) => k)
          .sort();
      for (const tag of tags) {
        expect(db.query({ tag, limit: 1000 }).items.map((f) => f.key)).toEqual(expectKeys((e) => e.tags.includes(tag)));
      }
      for (const w of words) {
        expect(db.query({ q: w, limit: 1000 }).items.map((f) => f.key)).toEqual(expectKeys((e) => e.word === w));
      }
      const tagRows = [...model.values()].reduce((sum, entry) => sum + entry.tags.length, 0);
      expect(countRows(path, 'SELECT count(*) AS n FROM fact_tags')).toBe(tagRows);
    }
  });

  test('GC of expired facts removes their tag rows and full-text entries', () => {
    const path = freshPath();
    const clock = testClock();
    const db = openDb({ path, now: clock.now, tombstoneRetentionSeconds: 1 });
    db.put(fact({ key: 'temp', value: 'ephemeral', tags: ['t'], ttlSeconds: 1 }));
    db.put(fact({ key: 'kept', value: 'durable', tags: ['t'] }));
    clock.ms += 2_000;
    expect(db.gc().expiredRemoved).toBe(1);
    expect(countRows(path, "SELECT count(*) AS n FROM fact_tags WHERE key = 'temp'")).toBe(0);
    expect(countRows(path, "SELECT count(*) AS n FROM facts_fts WHERE facts_fts MATCH 'ephemeral'")).toBe(0);
    expect(countRows(path, "SELECT count(*) AS n FROM facts_fts WHERE facts_fts MATCH 'durable'")).toBe(1);
  });
});

describe('TTL', () => {
  test('an expired fact disappears from get, query and delete at its expiry instant', () => {
    const clock = testClock();
    const db = openDb({ now: clock.now });
    const stored = db.put(fact({ key: 'lease', value: 'x', tags: ['t'], ttlSeconds: 30 }));
    expect(stored.expiresAt).toBe(new Date(T0 + 30_000).toISOString());
    clock.ms = T0 + 29_999;
    expect(db.get('lease')).toBeDefined();
    expect(db.query({ tag: 't' }).items).toHaveLength(1);
    clock.ms = T0 + 30_000;
    expect(db.get('lease')).toBeUndefined();
    expect(db.query({}).items).toEqual([]);
    expect(db.query({ tag: 't' }).items).toEqual([]);
    expect(db.query({ q: 'lease' }).items).toEqual([]);
    expect(db.delete('lease')).toEqual({ key: 'lease', deleted: false, version: null });
    // Expiry writes no tombstone: the replicated state keeps its expiresAt.
    expect(allChanges(db)).toEqual([expect.objectContaining({ key: 'lease', deleted: false })]);
    expect(db.stats()).toEqual({ facts: 0, tombstones: 0, expired: 1 });
  });

  test('a put without TTL over an expiring fact makes it permanent', () => {
    const clock = testClock();
    const db = openDb({ now: clock.now });
    db.put(fact({ key: 'k', value: 1, ttlSeconds: 1 }));
    db.put(fact({ key: 'k', value: 2 }));
    clock.ms = T0 + 10_000;
    expect(db.get('k')).toMatchObject({ value: 2, expiresAt: null });
  });
});

describe('changes feed', () => {
  test('is monotonic and compacted: one entry per key, at its latest write', () => {
    const db = openDb();
    db.put(fact({ key: 'a', value: 1 }));
    db.put(fact({ key: 'b', value: 1 }));
    db.put(fact({ key: 'a', value: 2 }));
    db.delete('b');
    db.put(fact({ key: 'c', value: 1 }));
    const changes = allChanges(db);
    expect(changes.map((c) => [c.key, c.deleted])).toEqual([
      ['a', false],
      ['b', true],
      ['c', false],
    ]);
    expect(changes.map((c) => c.seq)).toEqual([3, 4, 5]);
    expect(db.seq()).toBe(5);
  });

  test('pages by since and limit with nextSince and hasMore', () => {
    const db = openDb({ nodeId: 'feed-node' });
    db.putBatch(Array.from({ length: 5 }, (_, i) => fact({ key: `k${i}`, value: i })));
    const first = db.changes(0, 2);
    expect(first).toMatchObject({ nodeId: 'feed-node', count: 2, nextSince: 2, hasMore: true });
    const rest = db.changes(first.nextSince, 10);
    expect(rest).toMatchObject({ count: 3, nextSince: 5, hasMore: false });
    expect(db.changes(5, 10)).toMatchObject({ changes: [], count: 0, nextSince: 5, hasMore: false });
  });
});

describe('onChange', () => {
  test('fires after commit for local writes, with the committed state visible', () => {
    const path = freshPath();
    const db = openDb({ path });
    const seen: Array<[Change, number]> = [];
    const stop = db.onChange((change) => {
      // Another connection sees the row: the transaction has committed.
      seen.push([change, countRows(path, `SELECT count(*) AS n FROM facts WHERE seq = ${change.seq}`)]);
    });
    db.putBatch([fact({ key: 'a', value: 1 }), fact({ key: 'b', value: 2 })]);
    db.delete('a');
    expect(seen.map(([c, visible]) => [c.key, c.deleted, visible])).toEqual([
      ['a', false, 1],
      ['b', false, 1],
      ['a', true, 1],
    ]);
    stop();
    db.put(fact({ key: 'c', value: 3 }));
    expect(seen).toHaveLength(3);
  });

  test('does not fire for a rejected write, and a throwing listener does not undo the write', () => {
    const db = openDb();
    const seen: string[] = [];
    db.onChange(() => {
      throw new Error('listener bug');
    });
    db.onChange((change) => seen.push(change.key));
    expect(() => db.put({ key: 'a//b', value: 1, tags: [], ttlSeconds: null })).toThrow();
    expect(db.put(fact({ key: 'ok', value: 1 })).key).toBe('ok');
    expect(seen).toEqual(['ok']);
    expect(db.get('ok')).toBeDefined();
  });
});

describe('node id', () => {
  test('is generated once, persisted, and reused on reopen', () => {
    const path = freshPath();
    const first = new KnowledgeDB({ path });
    const id = first.nodeId;
    first.close();
    expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*-[0-9a-f]{8}$/);
    const again = openDb({ path });
    expect(again.nodeId).toBe(id);
  });

  test('an explicit id is persisted and a different one on reopen is refused', () => {
    const path = freshPath();
    new KnowledgeDB({ path, nodeId: 'alpha' }).close();
    const reopened = new KnowledgeDB({ path });
    expect(reopened.nodeId).toBe('alpha');
    reopened.close();
    const error = fleetErrorOf(() => new KnowledgeDB({ path, nodeId: 'beta' }), 'conflict');
    expect(error.message).toContain('alpha');
  });

  test('the feed position and clock survive reopen, even with the physical clock set back', () => {
    const path = freshPath();
    const clock = testClock();
    const first = new KnowledgeDB({ path, now: clock.now });
    const written = first.put(fact({ key: 'k', value: 1 }));
    first.close();
    clock.ms = T0 - 3_600_000;
    const again = openDb({ path, now: clock.now });
    expect(again.seq()).toBe(1);
    const next = again.put(fact({ key: 'k', value: 2 }));
    expect(next.version > written.version).toBe(true);
    expect(again.seq()).toBe(2);
  });
});

describe('peers', () => {
  test('addPeer without a token drops the stored one; with keepStoredToken it keeps it, across a reopen', () => {
    const path = freshPath();
    const first = new KnowledgeDB({ path, nodeId: 'here' });
    first.addPeer({ id: 'ezra', url: 'http://ezra:8651', token: 'ezra-token' });
    first.close();
    const db = openDb({ path });

    // Registered again without a token (as `--peer ID=URL` at every start): the url changes, the token stays.
    const again = db.addPeer({ id: 'ezra', url: 'http://ezra.lan:8651' }, { keepStoredToken: true });
    expect(again).toMatchObject({ id: 'ezra', url: 'http://ezra.lan:8651', hasToken: true });
    expect(db.peerToken('ezra')).toBe('ezra-token');
    // A token given replaces the stored one, keepStoredToken or not.
    db.addPeer({ id: 'ezra', url: 'http://ezra:8651', token: 'new-token' }, { keepStoredToken: true });
    expect(db.peerToken('ezra')).toBe('new-token');
    // A new peer without a token has none.
    expect(db.addPeer({ id: 'mira', url: 'http://mira:8651' }, { keepStoredToken: true }).hasToken).toBe(false);
    // Without the option (what POST /peers does), no token removes it.
    expect(db.addPeer({ id: 'ezra', url: 'http://ezra:8651' })).toMatchObject({ hasToken: false });
    expect(db.peerToken('ezra')).toBeUndefined();
  });
});
