import { describe, expect, test } from 'vitest';
import type { KnowledgeDB } from '../../src/knowledge/knowledge-db.ts';
import { SyncStatus } from '../../src/schemas/sync.ts';
import { SyncEngine } from '../../src/stores/index.ts';
import { fact, openDb, T0, testClock } from './_knowledge.ts';
import { startPeer } from './_sync.ts';

function lagOf(db: KnowledgeDB, peer: string) {
  const entry = SyncStatus.parse(db.syncStatus()).peers.find((candidate) => candidate.peer === peer);
  if (!entry) throw new Error(`no status for peer ${peer}`);
  return { lagFacts: entry.lagFacts, lagSeconds: entry.lagSeconds };
}

describe('sync lag', () => {
  test('a peer unreachable while a key is rewritten lags since the last successful sync, not since the last write', async () => {
    const b = await startPeer('b');
    // Real time at the start: b refuses a node whose clock is more than 60 s ahead of its own.
    const clock = testClock(Date.now());
    const db = openDb({ nodeId: 'a', now: clock.now });
    db.addPeer({ id: 'b', url: b.url });
    const engine = new SyncEngine({ db });
    db.put(fact({ key: 'heartbeat', value: 0 }));
    expect((await engine.syncAll())[0]?.ok).toBe(true);
    expect(lagOf(db, 'b')).toEqual({ lagFacts: 0, lagSeconds: 0 });

    await b.close();
    // Six minutes of a key written every second while every sync fails.
    for (let second = 1; second <= 360; second++) {
      clock.ms += 1_000;
      db.put(fact({ key: 'heartbeat', value: second }));
      if (second % 10 === 0) expect((await engine.syncAll())[0]?.ok).toBe(false);
    }
    // One current row, written a moment ago: its age alone said 0 s.
    expect(lagOf(db, 'b')).toEqual({ lagFacts: 1, lagSeconds: 360 });
  });

  test('a peer never synced with lags since it was added, however recent the rows it lacks', () => {
    const clock = testClock();
    const db = openDb({ nodeId: 'a', now: clock.now });
    db.addPeer({ id: 'b', url: 'http://b.invalid:8651' });
    clock.ms += 120_000;
    db.put(fact({ key: 'k', value: 1 }));
    clock.ms += 1_000;
    db.put(fact({ key: 'k', value: 2 }));
    expect(lagOf(db, 'b')).toEqual({ lagFacts: 1, lagSeconds: 121 });
  });

  test('a peer that pulls from this node lags since its last pull, even when this node cannot reach it', () => {
    const clock = testClock();
    const db = openDb({ nodeId: 'a', now: clock.now });
    db.addPeer({ id: 'b', url: 'http://b.invalid:8651' });
    db.recordSyncOutcome('b', { ok: false, error: 'unreachable', nextAttemptAt: T0 + 10_000 });
    clock.ms += 600_000;
    db.put(fact({ key: 'k', value: 1 }));
    db.recordPulledBy('b', db.syncStatus().seq);
    clock.ms += 4_000;
    db.put(fact({ key: 'k', value: 2 }));
    clock.ms += 3_000;
    expect(lagOf(db, 'b')).toEqual({ lagFacts: 1, lagSeconds: 7 });
  });

  test('the age of the oldest change a peer lacks still counts when it is older than the last sync', () => {
    const clock = testClock();
    const db = openDb({ nodeId: 'a', now: clock.now });
    db.addPeer({ id: 'b', url: 'http://b.invalid:8651' });
    db.put(fact({ key: 'old', value: 1 }));
    clock.ms += 30_000;
    // A success that pushed nothing (as after a resync of this node's cursor): the old row stays unacknowledged.
    db.recordSyncOutcome('b', { ok: true });
    clock.ms += 5_000;
    expect(lagOf(db, 'b')).toEqual({ lagFacts: 1, lagSeconds: 35 });
  });
});
