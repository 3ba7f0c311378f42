import { describe, expect, test } from 'vitest';
import { KnowledgeDB } from '../../src/knowledge/knowledge-db.ts';
import { allChanges, fact, fleetErrorOf, freshPath, openDb, T0, testClock } from './_knowledge.ts';

const DAY_MS = 24 * 3600 * 1000;

/** A node with two deleted keys (feed seqs 3 and 4) and one live key (seq 5). */
function withTombstones(options: { retentionDays?: number } = {}) {
  const clock = testClock();
  const db = openDb({
    nodeId: 'local',
    now: clock.now,
    tombstoneRetentionSeconds: (options.retentionDays ?? 7) * 24 * 3600,
  });
  db.putBatch([fact({ key: 'gone-1', value: 1 }), fact({ key: 'gone-2', value: 2 })]);
  db.delete('gone-1');
  db.delete('gone-2');
  db.put(fact({ key: 'live', value: 3 }));
  return { db, clock };
}

const tombstoneKeys = (db: KnowledgeDB) =>
  allChanges(db)
    .filter((c) => c.deleted)
    .map((c) => c.key);

describe('tombstone GC', () => {
  test('keeps tombstones while any registered peer has not pulled them', () => {
    const { db } = withTombstones();
    db.addPeer({ id: 'peer-1', url: 'http://127.0.0.1:1' });
    db.addPeer({ id: 'peer-2', url: 'http://127.0.0.1:2' });
    db.recordPulledBy('peer-1', 5);
    db.recordPulledBy('peer-2', 3);
    expect(db.gc()).toEqual({ tombstonesRemoved: 1, expiredRemoved: 0 });
    expect(tombstoneKeys(db)).toEqual(['gone-2']);
    expect(db.gcWatermark()).toBe(3);
    db.recordPulledBy('peer-2', 5);
    expect(db.gc()).toEqual({ tombstonesRemoved: 1, expiredRemoved: 0 });
    expect(tombstoneKeys(db)).toEqual([]);
    expect(db.gcWatermark()).toBe(4);
    expect(db.get('live')?.value).toBe(3);
  });

  test('a peer that never synced holds every tombstone until the horizon', () => {
    const { db, clock } = withTombstones({ retentionDays: 7 });
    db.addPeer({ id: 'silent', url: 'http://127.0.0.1:1' });
    clock.ms = T0 + 7 * DAY_MS - 1;
    expect(db.gc().tombstonesRemoved).toBe(0);
    clock.ms = T0 + 7 * DAY_MS;
    expect(db.gc().tombstonesRemoved).toBe(2);
    expect(db.gcWatermark()).toBe(4);
  });

  test('with no peers at all, tombstones are kept until the horizon', () => {
    const { db, clock } = withTombstones({ retentionDays: 1 });
    expect(db.gc().tombstonesRemoved).toBe(0);
    clock.ms = T0 + DAY_MS;
    expect(db.gc().tombstonesRemoved).toBe(2);
  });

  test('a node that only pulled this feed counts as a peer that must see the tombstones', () => {
    const { db } = withTombstones();
    db.addPeer({ id: 'registered', url: 'http://127.0.0.1:1' });
    db.recordPulledBy('registered', 5);
    db.recordPulledBy('puller', 2);
    expect(db.gc().tombstonesRemoved).toBe(0);
    db.recordPulledBy('puller', 5);
    expect(db.gc().tombstonesRemoved).toBe(2);
  });

  test('a push does not count as seen: only a pull by the peer releases the tombstones', () => {
    const { db } = withTombstones();
    db.addPeer({ id: 'peer', url: 'http://127.0.0.1:1' });
    db.recordPulledBy('peer', 2);
    db.recordPushed('peer', 5);
    expect(db.gc().tombstonesRemoved).toBe(0);
    expect(() => db.checkPullCursor(2)).not.toThrow();
    db.recordPulledBy('peer', 5);
    expect(db.gc().tombstonesRemoved).toBe(2);
  });

  test('removing a peer releases the tombstones it was holding', () => {
    const { db } = withTombstones();
    db.addPeer({ id: 'gone', url: 'http://127.0.0.1:1' });
    expect(db.gc().tombstonesRemoved).toBe(0);
    db.addPeer({ id: 'kept', url: 'http://127.0.0.1:2' });
    db.recordPulledBy('kept', 5);
    expect(db.removePeer('gone')).toBe(true);
    expect(db.removePeer('gone')).toBe(false);
    expect(db.gc().tombstonesRemoved).toBe(2);
  });

  test('expired facts are removed after the horizon past their expiry, or once every peer has pulled them', () => {
    const clock = testClock();
    const db = openDb({ now: clock.now, tombstoneRetentionSeconds: 3600 });
    db.addPeer({ id: 'peer', url: 'http://127.0.0.1:1' });
    db.put(fact({ key: 'short', value: 1, ttlSeconds: 60 }));
    db.put(fact({ key: 'seen', value: 2, ttlSeconds: 60 }));
    db.put(fact({ key: 'unexpired', value: 3, ttlSeconds: 7200 }));
    clock.ms = T0 + 60_000;
    expect(db.gc()).toEqual({ tombstonesRemoved: 0, expiredRemoved: 0 });
    db.recordPulledBy('peer', 2);
    expect(db.gc()).toEqual({ tombstonesRemoved: 0, expiredRemoved: 2 });
    expect(db.stats()).toEqual({ facts: 1, tombstones: 0, expired: 0 });
    expect(allChanges(db).map((c) => c.key)).toEqual(['unexpired']);
  });

  test('expired facts go at expiry plus the horizon even if a peer never saw them', () => {
    const clock = testClock();
    const db = openDb({ now: clock.now, tombstoneRetentionSeconds: 3600 });
    db.addPeer({ id: 'peer', url: 'http://127.0.0.1:1' });
    db.put(fact({ key: 'short', value: 1, ttlSeconds: 60 }));
    clock.ms = T0 + 60_000 + 3_600_000 - 1;
    expect(db.gc().expiredRemoved).toBe(0);
    clock.ms += 1;
    expect(db.gc().expiredRemoved).toBe(1);
  });
});

describe('pull cursors after GC', () => {
  test('a cursor below the watermark gets resync_required; at or above it, or 0, is fine', () => {
    const { db } = withTombstones();
    db.addPeer({ id: 'peer', url: 'http://127.0.0.1:1' });
    db.recordPulledBy('peer', 5);
    db.gc();
    expect(db.gcWatermark()).toBe(4);
    for (const since of [1, 2, 3]) {
      const error = fleetErrorOf(() => db.checkPullCursor(since), 'resync_required');
      expect(error.details).toMatchObject({ since, watermark: 4 });
    }
    expect(() => db.checkPullCursor(0)).not.toThrow();
    expect(() => db.checkPullCursor(4)).not.toThrow();
    expect(() => db.checkPullCursor(5)).not.toThrow();
  });

  test('a cursor beyond the feed (a replaced database) gets resync_required', () => {
    const { db } = withTombstones();
    fleetErrorOf(() => db.checkPullCursor(6), 'resync_required');
  });

  test('before any GC every cursor within the feed is fine', () => {
    const { db } = withTombstones();
    for (const since of [0, 1, 2, 3, 4, 5]) expect(() => db.checkPullCursor(since)).not.toThrow();
  });

  test('the watermark and the feed position survive reopening, even when GC removed the newest row', () => {
    const path = freshPath();
    const clock = testClock();
    const db = new KnowledgeDB({ path, now: clock.now, tombstoneRetentionSeconds: 60 });
    db.put(fact({ key: 'a', value: 1 }));
    db.put(fact({ key: 'b', value: 1 }));
    db.delete('b');
    clock.ms += 60_000;
    expect(db.gc().tombstonesRemoved).toBe(1);
    db.close();
    const reopened = openDb({ path, now: clock.now });
    expect(reopened.gcWatermark()).toBe(3);
    expect(reopened.seq()).toBe(3);
    reopened.put(fact({ key: 'c', value: 1 }));
    expect(reopened.changes(3, 10).changes).toEqual([expect.objectContaining({ key: 'c', seq: 4 })]);
    fleetErrorOf(() => reopened.checkPullCursor(2), 'resync_required');
  });
});

describe('sync bookkeeping', () => {
  test('peers are listed by id with hasToken, tokens are kept apart, and updates replace url and token', () => {
    const clock = testClock();
    const db = openDb({ now: clock.now });
    expect(db.addPeer({ id: 'b', url: 'http://b.example:8651', token: 'secret' })).toEqual({
      id: 'b',
      url: 'http://b.example:8651',
      hasToken: true,
      createdAt: new Date(T0).toISOString(),
    });
    clock.ms += 1000;
    db.addPeer({ id: 'a', url: 'http://a.example:8651' });
    expect(db.peers().map((p) => [p.id, p.hasToken])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    expect(JSON.stringify(db.peers())).not.toContain('secret');
    expect(db.peerToken('b')).toBe('secret');
    expect(db.peerToken('a')).toBeUndefined();
    expect(db.peerToken('missing')).toBeUndefined();
    const updated = db.addPeer({ id: 'b', url: 'http://b2.example:8651' });
    expect(updated).toMatchObject({
      url: 'http://b2.example:8651',
      hasToken: false,
      createdAt: new Date(T0).toISOString(),
    });
  });

  test('peer state records pushes (monotonic), pulls, successes and failures', () => {
    const clock = testClock();
    const db = openDb({ now: clock.now });
    expect(db.peerState('p')).toEqual({
      lastPulledSeq: 0,
      lastPushedSeq: 0,
      conflictsLost: 0,
      lastSuccessAt: null,
      lastFailureAt: null,
      lastError: null,
      consecutiveFailures: 0,
      nextAttemptAt: null,
      pulledFeedId: null,
      pullSnapshot: null,
    });
    db.recordPushed('p', 10);
    db.recordPushed('p', 4);
    db.recordSyncOutcome('p', { ok: false, error: 'ECONNREFUSED', nextAttemptAt: T0 + 1000 });
    clock.ms += 1;
    db.recordSyncOutcome('p', { ok: false, error: 'timeout', nextAttemptAt: T0 + 3000 });
    expect(db.peerState('p')).toMatchObject({
      lastPushedSeq: 10,
      lastFailureAt: T0 + 1,
      lastError: 'timeout',
      consecutiveFailures: 2,
      nextAttemptAt: T0 + 3000,
    });
    clock.ms += 1;
    db.recordSyncOutcome('p', { ok: true });
    expect(db.peerState('p')).toMatchObject({
      lastSuccessAt: T0 + 2,
      lastFailureAt: T0 + 1,
      lastError: null,
      consecutiveFailures: 0,
      nextAttemptAt: null,
    });
  });

  test('sync status reports cursors, lag in facts and seconds, and failures per peer', () => {
    const clock = testClock();
    const db = openDb({ nodeId: 'local', now: clock.now });
    db.addPeer({ id: 'behind', url: 'http://behind:8651' });
    db.addPeer({ id: 'current', url: 'http://current:8651' });
    db.put(fact({ key: 'a', value: 1 }));
    clock.ms += 5_000;
    db.putBatch([fact({ key: 'b', value: 1 }), fact({ key: 'c', value: 1 })]);
    db.recordPushed('behind', 1);
    db.recordPulledBy('current', 3);
    db.recordSyncOutcome('behind', { ok: false, error: 'boom', nextAttemptAt: T0 + 60_000 });
    clock.ms += 5_000;
    const status = db.syncStatus({ extra: 'http://extra:8651' });
    expect(status).toMatchObject({ nodeId: 'local', seq: 3, count: 3, conflictsLost: 0 });
    expect(status.peers.map((p) => [p.peer, p.url, p.lagFacts, p.lagSeconds])).toEqual([
      ['behind', 'http://behind:8651', 2, 10],
      ['current', 'http://current:8651', 0, 0],
      ['extra', 'http://extra:8651', 3, 10],
    ]);
    expect(status.peers[0]).toMatchObject({
      lastPushedSeq: 1,
      lastError: 'boom',
      consecutiveFailures: 1,
      lastFailureAt: new Date(T0 + 5_000).toISOString(),
      nextAttemptAt: new Date(T0 + 60_000).toISOString(),
    });
  });
});

describe('serving a pull', () => {
  test('a pull ahead of what the puller committed holds tombstones after its acknowledged cursor', () => {
    const { db } = withTombstones();
    const page = db.servePull({ nodeId: 'puller', since: 5, limit: 10, acknowledged: 2 }).decode();
    expect(page).toMatchObject({ count: 0, nextSince: 5 });
    expect(db.gc().tombstonesRemoved).toBe(0);
    db.servePull({ nodeId: 'puller', since: 5, limit: 10 });
    expect(db.gc().tombstonesRemoved).toBe(2);
  });

  test('an acknowledged cursor beyond since counts as since', () => {
    const { db } = withTombstones();
    db.servePull({ nodeId: 'puller', since: 3, limit: 10, acknowledged: 99 });
    expect(db.gc().tombstonesRemoved).toBe(1);
  });

  test('a cursor below the GC watermark is refused before anything is recorded', () => {
    const { db } = withTombstones();
    db.servePull({ nodeId: 'puller', since: 5, limit: 10 });
    db.gc();
    expect(
      fleetErrorOf(() => db.servePull({ nodeId: 'late', since: 1, limit: 10 }), 'resync_required').details,
    ).toMatchObject({ since: 1 });
  });
});
