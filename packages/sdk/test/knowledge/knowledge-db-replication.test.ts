import { describe, expect, test } from 'vitest';
import { formatHlc } from '../../src/knowledge/hlc.ts';
import { KnowledgeDB } from '../../src/knowledge/knowledge-db.ts';
import { MAX_PAGE_VALUE_BYTES } from '../../src/knowledge/sqlite/page-budget.ts';
import { MAX_FACT_VALUE_BYTES } from '../../src/schemas/fact.ts';
import type { Change } from '../../src/schemas/sync.ts';
import { allChanges, fact, fleetErrorOf, freshPath, openDb, snapshot, T0, testClock } from './_knowledge.ts';

/** A remote change as node `source` would send it at HLC (ms, counter). */
function change(
  key: string,
  value: unknown,
  source: string,
  ms: number,
  counter = 0,
  extra: Partial<Change> = {},
): Change {
  const deleted = value === undefined;
  return {
    seq: 1,
    key,
    value: deleted ? null : (value as Change['value']),
    tags: [],
    source,
    version: formatHlc({ ms, counter }),
    updatedAt: new Date(ms).toISOString(),
    expiresAt: null,
    deleted,
    ...extra,
  };
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('last writer wins', () => {
  test('a newer remote put replaces the local fact; an older one is ignored', () => {
    const clock = testClock();
    const db = openDb({ nodeId: 'local', now: clock.now });
    db.put(fact({ key: 'k', value: 'local' }));
    expect(db.applyChanges([change('k', 'old', 'peer', T0 - 1000)], 'peer')).toMatchObject({
      nodeId: 'local',
      applied: 0,
      ignored: 1,
    });
    expect(db.get('k')?.value).toBe('local');
    expect(db.applyChanges([change('k', 'new', 'peer', T0 + 1000)], 'peer')).toMatchObject({ applied: 1, ignored: 0 });
    expect(db.get('k')).toMatchObject({
      value: 'new',
      source: 'peer',
      version: formatHlc({ ms: T0 + 1000, counter: 0 }),
    });
  });

  test('equal versions are decided by source, the same way on every node', () => {
    const a = change('k', 'from-a', 'node-a', T0);
    const b = change('k', 'from-b', 'node-b', T0);
    const first = openDb({ now: testClock().now });
    const second = openDb({ now: testClock().now });
    first.applyChanges([a], 'x');
    first.applyChanges([b], 'x');
    second.applyChanges([b], 'x');
    second.applyChanges([a], 'x');
    expect(first.get('k')?.value).toBe('from-b');
    expect(second.get('k')?.value).toBe('from-b');
  });

  test('a tombstone beats older puts and loses to newer ones', () => {
    const db = openDb({ now: testClock().now });
    db.applyChanges([change('k', 'v1', 'peer', T0 - 100)], 'peer');
    db.applyChanges([change('k', undefined, 'peer', T0 - 50)], 'peer');
    expect(db.get('k')).toBeUndefined();
    expect(db.applyChanges([change('k', 'stale', 'other', T0 - 60)], 'other')).toMatchObject({ ignored: 1 });
    expect(db.get('k')).toBeUndefined();
    expect(db.applyChanges([change('k', 'v2', 'other', T0 - 40)], 'other')).toMatchObject({ applied: 1 });
    expect(db.get('k')?.value).toBe('v2');
  });

  test('a tombstone beats a put with the same version and source', () => {
    const db = openDb({ now: testClock().now });
    db.applyChanges([change('k', 'v', 'peer', T0)], 'peer');
    expect(db.applyChanges([change('k', undefined, 'peer', T0)], 'peer')).toMatchObject({ applied: 1 });
    expect(db.applyChanges([change('k', 'v', 'peer', T0)], 'peer')).toMatchObject({ ignored: 1 });
    expect(db.get('k')).toBeUndefined();
  });

  test('a local write after applying a remote change is newer than it, even with a slower local clock', () => {
    const clock = testClock();
    const db = openDb({ nodeId: 'local', now: clock.now });
    db.applyChanges([change('k', 'remote', 'peer', T0 + 30_000, 5)], 'peer');
    const mine = db.put(fact({ key: 'k', value: 'mine' }));
    expect(mine.version).toBe(formatHlc({ ms: T0 + 30_000, counter: 7 }));
    expect(db.get('k')?.value).toBe('mine');
  });
});

describe('convergence', () => {
  /** Three writers with their own clocks editing overlapping keys; returns each one's feed. */
  function threeWriters(): Change[][] {
    const clockA = testClock(T0);
    const clockB = testClock(T0 + 5);
    const clockC = testClock(T0 - 20);
    const a = openDb({ nodeId: 'node-a', now: clockA.now });
    const b = openDb({ nodeId: 'node-b', now: clockB.now });
    const c = openDb({ nodeId: 'node-c', now: clockC.now });
    a.putBatch([fact({ key: 'shared', value: 'a1', tags: ['x'] }), fact({ key: 'only-a', value: 1 })]);
    b.put(fact({ key: 'shared', value: 'b1', tags: ['y'] }));
    c.put(fact({ key: 'doomed', value: 'c1' }));
    clockC.ms += 30;
    c.delete('doomed');
    b.put(fact({ key: 'doomed', value: 'b-older' }));
    clockA.ms += 100;
    a.put(fact({ key: 'recreated', value: 'first', ttlSeconds: 3600 }));
    a.delete('recreated');
    a.put(fact({ key: 'recreated', value: 'second' }));
    c.put(fact({ key: 'shared', value: 'c-latest' }));
    return [allChanges(a), allChanges(b), allChanges(c)];
  }

  test('applying the same changes in any order gives the same state', () => {
    const feeds = threeWriters();
    const batches = feeds.flatMap((feed) => feed.map((item) => [item]));
    const orders = permutations([0, 1, 2]).flatMap((order) => [
      order.flatMap((i) => feeds[i]!),
      [...order.flatMap((i) => feeds[i]!)].reverse(),
    ]);
    orders.push(batches.flat());
    const states = orders.map((order) => {
      const db = openDb({ nodeId: 'observer', now: testClock(T0 + 1000).now });
      for (const item of order) db.applyChanges([item], 'peer');
      return snapshot(db);
    });
    for (const state of states) expect(state).toEqual(states[0]);
    expect(Object.fromEntries(states[0]!.map((s) => [s.key, s.deleted ? 'deleted' : s.value]))).toEqual({
      shared: 'c-latest',
      'only-a': 1,
      doomed: 'deleted',
      recreated: 'second',
    });
  });

  test('applying changes twice, or in one batch, changes nothing more', () => {
    const feeds = threeWriters();
    const all = feeds.flat();
    const once = openDb({ now: testClock(T0 + 1000).now });
    once.applyChanges(all, 'peer');
    const seq = once.seq();
    const again = once.applyChanges([...all].reverse(), 'peer');
    expect(again.applied).toBe(0);
    expect(again.ignored).toBe(all.length);
    expect(once.seq()).toBe(seq);
    const piecewise = openDb({ now: testClock(T0 + 1000).now });
    for (const item of [...all].reverse()) piecewise.applyChanges([item], 'peer');
    expect(snapshot(piecewise)).toEqual(snapshot(once));
  });

  test('delete then recreate on one node converges on another that saw only part of it', () => {
    const clock = testClock();
    const writer = openDb({ nodeId: 'writer', now: clock.now });
    const reader = openDb({ nodeId: 'reader', now: clock.now });
    writer.put(fact({ key: 'k', value: 1 }));
    reader.applyChanges(allChanges(writer), 'writer');
    clock.ms += 1;
    writer.delete('k');
    const afterDelete = writer.seq();
    clock.ms += 1;
    writer.put(fact({ key: 'k', value: 2 }));
    // The reader pulls the compacted feed after its cursor: only the recreated fact.
    reader.applyChanges(writer.changes(1, 10).changes, 'writer');
    expect(reader.get('k')?.value).toBe(2);
    expect(snapshot(reader)).toEqual(snapshot(writer));
    expect(afterDelete).toBe(2);
  });

  test('two nodes exchanging feeds both ways end up identical', () => {
    const clockA = testClock(T0);
    const clockB = testClock(T0 + 3);
    const a = openDb({ nodeId: 'node-a', now: clockA.now });
    const b = openDb({ nodeId: 'node-b', now: clockB.now });
    a.putBatch([fact({ key: 'k1', value: 'a' }), fact({ key: 'k2', value: 'a' })]);
    b.putBatch([fact({ key: 'k2', value: 'b' }), fact({ key: 'k3', value: 'b' })]);
    b.delete('k3');
    a.applyChanges(allChanges(b), 'node-b');
    b.applyChanges(allChanges(a), 'node-a');
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(a.get('k2')?.value).toBe('b');
  });
});

describe('clock skew', () => {
  test('one change too far ahead rejects the whole batch and stores nothing', () => {
    const clock = testClock();
    const db = openDb({ now: clock.now, maxClockSkewMs: 60_000 });
    const seq = db.seq();
    const error = fleetErrorOf(
      () =>
        db.applyChanges(
          [change('ok-1', 1, 'peer', T0), change('ahead', 2, 'peer', T0 + 60_001), change('ok-2', 3, 'peer', T0)],
          'peer',
        ),
      'clock_skew',
    );
    expect(error.details).toMatchObject({ field: 'version', maxSkewMs: 60_000 });
    expect(db.get('ok-1')).toBeUndefined();
    expect(db.seq()).toBe(seq);
    // The local clock did not adopt the rejected time.
    expect(db.put(fact({ key: 'local', value: 1 })).version).toBe(formatHlc({ ms: T0, counter: 0 }));
  });

  test('a change ahead within the bound is applied and the clock moves past it', () => {
    const clock = testClock();
    const db = openDb({ now: clock.now, maxClockSkewMs: 60_000 });
    db.applyChanges([change('ahead', 1, 'peer', T0 + 59_000)], 'peer');
    expect(db.put(fact({ key: 'local', value: 1 })).version).toBe(formatHlc({ ms: T0 + 59_000, counter: 2 }));
  });

  test('an invalid change names its index and field and stores nothing', () => {
    const db = openDb({ now: testClock().now });
    const bad = { ...change('k2', 1, 'peer', T0), version: 'yesterday' };
    const error = fleetErrorOf(() => db.applyChanges([change('k1', 1, 'peer', T0), bad], 'peer'), 'validation_failed');
    expect(error.details).toMatchObject({ issues: [{ field: 'changes.1.version' }] });
    expect(db.seq()).toBe(0);
  });
});

describe('size limits', () => {
  test('a remote change whose value is over the put limit is refused, naming it, and stores nothing', () => {
    const db = openDb({ now: testClock().now });
    const big = change('k2', 'x'.repeat(MAX_FACT_VALUE_BYTES), 'peer', T0);
    const error = fleetErrorOf(() => db.applyChanges([change('k1', 1, 'peer', T0), big], 'peer'), 'validation_failed');
    expect(error.details).toMatchObject({ issues: [{ field: 'changes.1.value' }] });
    expect(db.seq()).toBe(0);
  });

  test('feed and snapshot pages of large values are cut by size, and paging still reads every change', () => {
    const db = openDb({ now: testClock().now });
    const value = 'v'.repeat(MAX_FACT_VALUE_BYTES - 100);
    const total = Math.ceil((3 * MAX_PAGE_VALUE_BYTES) / value.length);
    for (let i = 0; i < total; i++) db.put(fact({ key: `k/${String(i).padStart(3, '0')}`, value }));
    const feedKeys: string[] = [];
    let pages = 0;
    for (let since = 0, more = true; more; pages++) {
      const page = db.changes(since, 2500);
      const chars = page.changes.reduce((sum, c) => sum + JSON.stringify(c.value).length, 0);
      expect(chars).toBeLessThanOrEqual(MAX_PAGE_VALUE_BYTES);
      feedKeys.push(...page.changes.map((c) => c.key));
      ({ nextSince: since, hasMore: more } = page);
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(feedKeys).toHaveLength(total);
    const snapshotKeys: string[] = [];
    for (let afterKey: string | null = null, more = true; more; ) {
      const page = db.snapshotPage(afterKey, 2500);
      expect(page.changes.length).toBeLessThan(total);
      snapshotKeys.push(...page.changes.map((c) => c.key));
      afterKey = page.nextKey ?? null;
      more = page.hasMore;
    }
    expect(snapshotKeys).toEqual(feedKeys);
  });
});

describe('conflicts lost', () => {
  test("counts local writes a peer's changes overwrote, per peer", () => {
    const clock = testClock();
    const db = openDb({ nodeId: 'local', now: clock.now });
    db.putBatch([fact({ key: 'a', value: 1 }), fact({ key: 'b', value: 1 }), fact({ key: 'c', value: 1 })]);
    db.delete('c');
    const result = db.applyChanges(
      [
        change('a', 'theirs', 'peer-1', T0 + 10),
        change('b', 'older', 'peer-1', T0 - 10),
        change('c', 'revived', 'peer-1', T0 + 10),
        change('new', 'x', 'peer-1', T0 + 10),
      ],
      'peer-1',
    );
    expect(result).toEqual({ nodeId: 'local', applied: 3, ignored: 1, conflictsLost: 2 });
    // Overwriting a state that was not ours is not a conflict we lost.
    expect(db.applyChanges([change('a', 'again', 'peer-2', T0 + 20)], 'peer-2').conflictsLost).toBe(0);
    expect(db.peerState('peer-1').conflictsLost).toBe(2);
    expect(db.peerState('peer-2').conflictsLost).toBe(0);
    expect(db.syncStatus().conflictsLost).toBe(2);
  });
});

describe('applyPulled', () => {
  test('stores the pull checkpoint with the batch: both survive reopening the file', () => {
    const path = freshPath();
    const clock = testClock();
    const source = openDb({ nodeId: 'source', now: clock.now });
    source.putBatch([fact({ key: 'a', value: 1 }), fact({ key: 'b', value: 2 }), fact({ key: 'c', value: 3 })]);
    const db = new KnowledgeDB({ path, nodeId: 'sink', now: clock.now });
    const page = source.changes(0, 2);
    expect(db.applyPulled('source', page)).toMatchObject({ applied: 2 });
    db.close();
    const reopened = openDb({ path, now: clock.now });
    expect(reopened.peerState('source').lastPulledSeq).toBe(page.nextSince);
    expect(reopened.get('b')?.value).toBe(2);
    const rest = source.changes(reopened.peerState('source').lastPulledSeq, 10);
    reopened.applyPulled('source', rest);
    expect(snapshot(reopened)).toEqual(snapshot(source));
  });

  test('a rejected batch moves neither the facts nor the checkpoint', () => {
    const clock = testClock();
    const db = openDb({ now: clock.now });
    db.applyPulled('peer', {
      changes: [change('a', 1, 'peer', T0)],
      count: 1,
      nodeId: 'peer',
      nextSince: 1,
      hasMore: true,
    });
    fleetErrorOf(
      () =>
        db.applyPulled('peer', {
          changes: [change('b', 1, 'peer', T0), change('c', 1, 'peer', T0 + 3_600_000)],
          count: 2,
          nodeId: 'peer',
          nextSince: 3,
          hasMore: false,
        }),
      'clock_skew',
    );
    expect(db.peerState('peer').lastPulledSeq).toBe(1);
    expect(db.get('b')).toBeUndefined();
  });

  test('an empty page still records the checkpoint', () => {
    const db = openDb();
    db.applyPulled('peer', { changes: [], count: 0, nodeId: 'peer', nextSince: 42, hasMore: false });
    expect(db.peerState('peer').lastPulledSeq).toBe(42);
  });
});

describe('remote changes in the local feed', () => {
  test('applied changes get local seqs and fire onChange after commit; ignored ones do neither', () => {
    const db = openDb({ nodeId: 'local', now: testClock().now });
    db.put(fact({ key: 'mine', value: 1 }));
    const seen: Change[] = [];
    db.onChange((item) => seen.push(item));
    db.applyChanges(
      [change('theirs', 'x', 'peer', T0 + 5, 0, { seq: 900, tags: ['t'] }), change('mine', 0, 'peer', 1)],
      'peer',
    );
    expect(seen).toEqual([expect.objectContaining({ seq: 2, key: 'theirs', source: 'peer', tags: ['t'] })]);
    expect(db.changes(1, 10).changes).toEqual([expect.objectContaining({ seq: 2, key: 'theirs', source: 'peer' })]);
    expect(db.query({ tag: 't' }).items.map((f) => f.key)).toEqual(['theirs']);
  });

  test('a replicated TTL keeps its expiry instant', () => {
    const clock = testClock();
    const db = openDb({ now: clock.now });
    const expiresAt = new Date(T0 + 10_000).toISOString();
    db.applyChanges([change('lease', 'x', 'peer', T0, 0, { expiresAt })], 'peer');
    expect(db.get('lease')?.expiresAt).toBe(expiresAt);
    clock.ms = T0 + 10_000;
    expect(db.get('lease')).toBeUndefined();
  });
});

describe('changes for a push', () => {
  test("leaving out a node's own writes skips them and moves the cursor to the end of the feed", () => {
    const db = openDb({ nodeId: 'local', now: testClock().now });
    db.applyChanges([change('a', 1, 'peer', T0 - 3), change('b', 2, 'peer', T0 - 2)], 'peer');
    db.put(fact({ key: 'mine', value: 3 }));
    db.applyChanges([change('c', 4, 'peer', T0 - 1)], 'peer');
    const page = db.changes(0, 10, { exceptSource: 'peer' });
    expect(page.changes.map((c) => c.key)).toEqual(['mine']);
    expect(page).toMatchObject({ nextSince: 4, hasMore: false });
  });

  test('a full page of wanted changes stops at its last change, not at the end of the feed', () => {
    const db = openDb({ nodeId: 'local', now: testClock().now });
    db.putBatch([fact({ key: 'x', value: 1 }), fact({ key: 'y', value: 2 })]);
    db.applyChanges([change('theirs', 1, 'peer', T0 - 1)], 'peer');
    const page = db.changes(0, 1, { exceptSource: 'peer' });
    expect(page).toMatchObject({ count: 1, nextSince: 1, hasMore: true });
    expect(db.changes(1, 1, { exceptSource: 'peer' })).toMatchObject({ count: 1, nextSince: 3, hasMore: false });
  });

  test('a node that never wrote here leaves the feed as it is', () => {
    const db = openDb({ nodeId: 'local', now: testClock().now });
    db.put(fact({ key: 'mine', value: 1 }));
    expect(db.changes(0, 10, { exceptSource: 'stranger' })).toEqual(db.changes(0, 10));
  });
});

describe('feed id', () => {
  test('is made anew at every open, sent with every page and stored with the pull cursor', () => {
    const path = freshPath();
    const first = new KnowledgeDB({ path, nodeId: 'n' });
    const feedId = first.feedId;
    expect(first.changes(0, 10).feedId).toBe(feedId);
    first.close();
    const again = new KnowledgeDB({ path });
    expect(again.feedId).not.toBe(feedId);
    expect(again.changes(0, 10).feedId).toBe(again.feedId);
    again.applyPulled('peer', {
      changes: [],
      count: 0,
      nodeId: 'peer',
      feedId: 'feed-x',
      nextSince: 3,
      hasMore: false,
    });
    again.applyPulled('peer', { changes: [], count: 0, nodeId: 'peer', nextSince: 4, hasMore: false });
    expect(again.peerState('peer')).toMatchObject({ lastPulledSeq: 4, pulledFeedId: 'feed-x' });
    again.close();
  });

  test('another file under the same node id has another feed id', () => {
    const a = new KnowledgeDB({ path: freshPath(), nodeId: 'same' });
    const b = new KnowledgeDB({ path: freshPath(), nodeId: 'same' });
    expect(a.feedId).not.toBe(b.feedId);
    a.close();
    b.close();
  });
});
