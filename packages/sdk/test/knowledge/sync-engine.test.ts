import { describe, expect, test } from 'vitest';
import { KnowledgeClient, type Peer, type PeerSyncStatus, SyncStatus } from '../../src/index.ts';
import { type KnowledgeDB, SyncEngine, type SyncEngineOptions } from '../../src/stores/index.ts';
import { fact, openDb, snapshot } from './_knowledge.ts';
import {
  type PeerNode,
  pushSizes,
  type RecordedRequest,
  recordingClientFor,
  refusedUrl,
  remoteSnapshot,
  silentServer,
  startForgetfulPeer,
  startPeer,
} from './_sync.ts';

/** A local node `a` (database only) with `peers` registered, and its engine. */
function localNode(peers: Array<{ id: string; url: string }>, options: Partial<SyncEngineOptions> = {}) {
  const db = openDb({ nodeId: 'a' });
  for (const peer of peers) db.addPeer(peer);
  const engine = new SyncEngine({ db, ...options });
  return { db, engine };
}

const asPeer = (node: PeerNode) => ({ id: node.nodeId, url: node.url });

function liveKeys(db: KnowledgeDB): string[] {
  return db.query({ limit: 1000 }).items.map((item) => item.key);
}

function peerStatus(db: KnowledgeDB, peer: string): PeerSyncStatus {
  const status = SyncStatus.parse(db.syncStatus());
  const entry = status.peers.find((candidate) => candidate.peer === peer);
  if (!entry) throw new Error(`no status for peer ${peer}`);
  return entry;
}

/** Syncs until a round moves nothing (at most `rounds`), so echoes of the last push are drained too. */
async function syncUntilQuiet(engine: SyncEngine, rounds = 5): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const results = await engine.syncAll();
    for (const result of results) expect(result.error).toBeNull();
    if (results.every((result) => result.pulled === 0 && result.pushed === 0)) return;
  }
  throw new Error(`still moving changes after ${rounds} rounds`);
}

/**
 * Node `a` (logging its warnings) synced with a peer `b` that wrote `old/0..2` and got `from/a`, then
 * lost: `b` is closed, and `cursor` is a's pull cursor into its feed.
 */
async function syncedWithLostPeer() {
  const b = await startPeer('b');
  const warnings: string[] = [];
  const { db, engine } = localNode([asPeer(b)], { logger: { warn: (message: string) => warnings.push(message) } });
  await b.client.putBatch(Array.from({ length: 3 }, (_, i) => ({ key: `old/${i}`, value: i })));
  db.put(fact({ key: 'from/a', value: 'a' }));
  await syncUntilQuiet(engine);
  const cursor = db.peerState('b').lastPulledSeq;
  await b.close();
  return { db, engine, warnings, cursor };
}

describe('SyncEngine: convergence of two nodes', () => {
  test('puts, overwrites, deletes and delete-then-recreate on either side end with identical states', async () => {
    const b = await startPeer('b');
    const { db, engine } = localNode([asPeer(b)]);

    db.putBatch([
      fact({ key: 'k/1', value: 1 }),
      fact({ key: 'k/2', value: 2, tags: ['x'] }),
      fact({ key: 'k/3', value: 3 }),
    ]);
    await b.client.putBatch([
      { key: 'k/4', value: { four: 4 }, tags: ['y'] },
      { key: 'k/5', value: 'five' },
      { key: 'k/ttl', value: 'soon gone', ttlSeconds: 3600 },
    ]);
    const [first] = await engine.syncAll();
    expect(first).toMatchObject({ peer: 'b', ok: true, pulled: 3, pushed: 3, error: null });
    expect(await remoteSnapshot(b.client)).toEqual(snapshot(db));
    expect(liveKeys(db)).toEqual(['k/1', 'k/2', 'k/3', 'k/4', 'k/5', 'k/ttl']);

    // Overwrites on both sides, deletes on both sides, and deleted-then-recreated keys on both sides.
    await b.client.put({ key: 'k/1', value: 'b overwrote' });
    db.put(fact({ key: 'k/4', value: 'a overwrote', tags: ['z'] }));
    db.delete('k/2');
    await b.client.delete('k/5');
    db.delete('k/3');
    db.put(fact({ key: 'k/3', value: 'recreated by a' }));
    await b.client.delete('k/ttl');
    await b.client.put({ key: 'k/ttl', value: 'recreated by b' });
    await syncUntilQuiet(engine);

    const states = snapshot(db);
    expect(await remoteSnapshot(b.client)).toEqual(states);
    const byKey = new Map(states.map((state) => [state.key, state]));
    expect(byKey.get('k/1')).toMatchObject({ value: 'b overwrote', source: 'b', deleted: false });
    expect(byKey.get('k/2')).toMatchObject({ deleted: true, source: 'a' });
    expect(byKey.get('k/3')).toMatchObject({ value: 'recreated by a', deleted: false });
    expect(byKey.get('k/4')).toMatchObject({ value: 'a overwrote', tags: ['z'], source: 'a' });
    expect(byKey.get('k/5')).toMatchObject({ deleted: true, source: 'b' });
    expect(byKey.get('k/ttl')).toMatchObject({ value: 'recreated by b', expiresAt: null, deleted: false });
    expect(liveKeys(db)).toEqual(['k/1', 'k/3', 'k/4', 'k/ttl']);
    expect((await b.client.query()).facts.map((item) => item.key)).toEqual(['k/1', 'k/3', 'k/4', 'k/ttl']);
  });

  test('changes travel through a node to a third one (a pulls b, c pulls a)', async () => {
    const b = await startPeer('b');
    const c = await startPeer('c');
    const { db, engine } = localNode([asPeer(b), asPeer(c)]);
    await b.client.put({ key: 'from/b', value: 'b' });
    await c.client.put({ key: 'from/c', value: 'c' });
    await syncUntilQuiet(engine);
    expect(liveKeys(db)).toEqual(['from/b', 'from/c']);
    expect(await remoteSnapshot(b.client)).toEqual(snapshot(db));
    expect(await remoteSnapshot(c.client)).toEqual(snapshot(db));
  });
});

describe('SyncEngine: batches', () => {
  test('a snapshot pull pages through keys that JavaScript and SQLite order differently', async () => {
    const b = await startPeer('b');
    // SQLite (UTF-8 bytes): U+FF01 before U+1F600; JavaScript's < (UTF-16 units): the other way round.
    const keys = ['k/\uFF01', 'k/\u{1F600}', 'k/\u{1F601}', 'k/\u2764\uFE0F'];
    await b.client.putBatch(keys.map((key, value) => ({ key, value })));
    const { db, engine } = localNode([asPeer(b)], { batchSize: 2 });
    const [result] = await engine.syncAll();
    expect(result).toMatchObject({ peer: 'b', ok: true, error: null });
    expect(liveKeys(db).sort()).toEqual([...keys].sort());
  });

  test('pulls pages of half a batch (two in flight) and pushes at most batchSize changes per request', async () => {
    const b = await startPeer('b');
    const log: RecordedRequest[] = [];
    const { db, engine } = localNode([asPeer(b)], { batchSize: 6, clientFor: recordingClientFor(log) });
    await b.client.putBatch(Array.from({ length: 10 }, (_, i) => ({ key: `b/${i}`, value: i })));
    db.putBatch(Array.from({ length: 7 }, (_, i) => fact({ key: `a/${i}`, value: i })));

    const [result] = await engine.syncAll();
    expect(result).toMatchObject({ ok: true, pulled: 10, pushed: 7 });
    const pulls = log.filter((entry) => entry.path === '/sync/pull');
    expect(pulls.map((entry) => entry.body?.limit)).toEqual([3, 3, 3, 3]);
    expect(pulls.map((entry) => entry.pulledChanges)).toEqual([3, 3, 3, 1]);
    expect(pulls.map((entry) => entry.body?.nodeId)).toEqual(['a', 'a', 'a', 'a']);
    expect(pushSizes(log)).toEqual([6, 1]);

    // The cursors moved to the end of both feeds, and b's own changes were not echoed back to it.
    expect(db.peerState('b').lastPulledSeq).toBe(10);
    expect(db.peerState('b').lastPushedSeq).toBe(db.seq());
    log.length = 0;
    const [again] = await engine.syncAll();
    expect(again).toMatchObject({ ok: true, pulled: 7, pushed: 0 });
    expect(log.filter((entry) => entry.path === '/sync/push')).toEqual([]);
  });

  test('cuts a push into requests under maxPushBytes', async () => {
    const b = await startPeer('b');
    const log: RecordedRequest[] = [];
    const { db, engine } = localNode([asPeer(b)], { maxPushBytes: 3000, clientFor: recordingClientFor(log) });
    db.putBatch(Array.from({ length: 6 }, (_, i) => fact({ key: `big/${i}`, value: 'x'.repeat(1000) })));
    const [result] = await engine.syncAll();
    expect(result).toMatchObject({ ok: true, pushed: 6 });
    expect(pushSizes(log)).toEqual([2, 2, 2]);
    expect(await remoteSnapshot(b.client)).toEqual(snapshot(db));
  });
});

describe('SyncEngine: failures and backoff', () => {
  test('a peer that refuses connections backs off exponentially while another peer keeps syncing', async () => {
    const b = await startPeer('b');
    const ghostUrl = await refusedUrl();
    const clock = { ms: Date.now() };
    const { db, engine } = localNode([asPeer(b), { id: 'ghost', url: ghostUrl }], {
      now: () => clock.ms,
      random: () => 1, // the full ceiling: base * 2^(failures-1), capped
      backoff: { baseMs: 1000, maxMs: 4000 },
    });
    const due = async () => (await engine.syncDue()).map((result) => `${result.peer}:${result.ok}`).sort();
    const start = clock.ms;

    await b.client.put({ key: 'round/1', value: 1 });
    expect(await due()).toEqual(['b:true', 'ghost:false']);
    expect(db.peerState('ghost')).toMatchObject({ consecutiveFailures: 1, nextAttemptAt: start + 1000 });
    expect(db.peerState('ghost').lastError).toMatch(/^unavailable: cannot reach http:\/\/127\.0\.0\.1:\d+ /);

    // Still backing off: only b is synced, and it gets the new fact.
    await b.client.put({ key: 'round/2', value: 2 });
    expect(await due()).toEqual(['b:true']);
    expect(liveKeys(db)).toEqual(['round/1', 'round/2']);
    expect(db.peerState('ghost').consecutiveFailures).toBe(1);

    clock.ms = start + 1000;
    expect(await due()).toEqual(['b:true', 'ghost:false']);
    expect(db.peerState('ghost')).toMatchObject({ consecutiveFailures: 2, nextAttemptAt: start + 1000 + 2000 });
    clock.ms = start + 2999;
    expect(await due()).toEqual(['b:true']);
    clock.ms = start + 3000;
    expect(await due()).toEqual(['b:true', 'ghost:false']);
    expect(db.peerState('ghost')).toMatchObject({ consecutiveFailures: 3, nextAttemptAt: start + 3000 + 4000 });
    clock.ms = start + 7000;
    expect(await due()).toEqual(['b:true', 'ghost:false']);
    expect(db.peerState('ghost')).toMatchObject({ consecutiveFailures: 4, nextAttemptAt: start + 7000 + 4000 });

    // An explicit sync tries a backing-off peer anyway.
    const all = await engine.syncAll();
    expect(all.map((result) => `${result.peer}:${result.ok}`).sort()).toEqual(['b:true', 'ghost:false']);
    expect(db.peerState('ghost').consecutiveFailures).toBe(5);
    expect(db.peerState('b')).toMatchObject({ consecutiveFailures: 0, nextAttemptAt: null, lastError: null });

    // The peer comes back (under the same id, at a new address): one success resets its backoff.
    const ghost = await startPeer('ghost');
    db.addPeer({ id: 'ghost', url: ghost.url });
    await ghost.client.put({ key: 'from/ghost', value: true });
    const [back] = await Promise.all([engine.syncPeer('ghost')]);
    expect(back).toMatchObject({ peer: 'ghost', ok: true, pulled: 1, error: null });
    expect(db.peerState('ghost')).toMatchObject({ consecutiveFailures: 0, nextAttemptAt: null, lastError: null });
    expect(peerStatus(db, 'ghost').lastFailureAt).not.toBeNull();
    expect(await ghost.client.find('round/2')).toMatchObject({ value: 2, source: 'b' });
  });

  test('a peer that never answers does not hold up the others; stop() aborts it without counting a failure', async () => {
    const b = await startPeer('b');
    const silent = await silentServer();
    try {
      const { db, engine } = localNode([asPeer(b), { id: 'silent', url: silent.url }], { timeoutMs: 120_000 });
      await b.client.put({ key: 'k', value: 'v' });
      let allSettled = false;
      const all = engine.syncAll().finally(() => {
        allSettled = true;
      });
      const fromB = await engine.syncPeer('b'); // joins the attempt syncAll started
      expect(fromB).toMatchObject({ peer: 'b', ok: true, pulled: 1 });
      expect(db.get('k')?.value).toBe('v');
      expect(allSettled).toBe(false);

      await engine.stop();
      const results = await all;
      expect(results.find((result) => result.peer === 'silent')).toMatchObject({
        ok: false,
        error: 'unavailable: the sync engine stopped',
      });
      expect(db.peerState('silent')).toMatchObject({ consecutiveFailures: 0, lastError: null });
    } finally {
      await silent.close();
    }
  });

  test('a request timeout fails only that peer', async () => {
    const b = await startPeer('b');
    const silent = await silentServer();
    try {
      const { db, engine } = localNode([asPeer(b), { id: 'silent', url: silent.url }], {
        clientFor: (peer) =>
          new KnowledgeClient({ url: peer.url, retry: 0, timeoutMs: peer.id === 'silent' ? 300 : 30_000 }),
      });
      const results = await engine.syncAll();
      expect(
        results.find((result) => result.peer === 'b'),
        JSON.stringify(results),
      ).toMatchObject({ ok: true });
      expect(results.find((result) => result.peer === 'silent')).toMatchObject({ ok: false });
      expect(db.peerState('silent').lastError).toMatch(/no answer within 300 ms/);
    } finally {
      await silent.close();
    }
  });

  test('a peer URL that answers as another node is refused without moving the cursor', async () => {
    const c = await startPeer('c');
    await c.client.put({ key: 'k', value: 1 });
    const { db, engine } = localNode([{ id: 'b', url: c.url }]);
    const [result] = await engine.syncAll();
    expect(result).toMatchObject({ peer: 'b', ok: false, pulled: 0 });
    expect(result?.error).toContain('answered as node c');
    expect(db.peerState('b').lastPulledSeq).toBe(0);
    expect(db.get('k')).toBeUndefined();
  });

  test('a second sync of a peer while one runs joins it instead of pulling twice', async () => {
    const b = await startPeer('b');
    const log: RecordedRequest[] = [];
    const { engine } = localNode([asPeer(b)], { clientFor: recordingClientFor(log) });
    await b.client.put({ key: 'k', value: 1 });
    const first = engine.syncPeer('b');
    const second = engine.syncPeer('b');
    const all = engine.syncAll();
    expect(second).toBe(first);
    const [fromAll] = await all;
    expect(fromAll).toBe(await first);
    expect(log.filter((entry) => entry.path === '/sync/pull')).toHaveLength(1);
    await expect(engine.syncPeer('nobody')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('SyncEngine: status', () => {
  test('reports last success and failure, last error, lag and the conflicts this node lost', async () => {
    const b = await startPeer('b');
    const { db, engine } = localNode([asPeer(b)]);
    db.putBatch([fact({ key: 'lag/1', value: 1 }), fact({ key: 'lag/2', value: 2 })]);
    db.put(fact({ key: 'shared', value: 'written by a' }));
    // b writes the same key afterwards: its version is newer, so a's write loses on both nodes.
    await b.client.put({ key: 'shared', value: 'written by b' });

    const before = peerStatus(db, 'b');
    expect(before).toMatchObject({ lagFacts: 3, lastSuccessAt: null, lastFailureAt: null, conflictsLost: 0 });
    expect(before.lagSeconds).toBeGreaterThanOrEqual(0);

    const [ok] = await engine.syncAll();
    expect(ok?.ok).toBe(true);
    const synced = peerStatus(db, 'b');
    expect(synced).toMatchObject({
      lagFacts: 0,
      lagSeconds: 0,
      conflictsLost: 1,
      lastError: null,
      consecutiveFailures: 0,
    });
    expect(synced.lastSuccessAt).not.toBeNull();
    expect(SyncStatus.parse(db.syncStatus()).conflictsLost).toBe(1);
    expect(db.get('shared')?.value).toBe('written by b');
    expect((await b.client.get('shared')).value).toBe('written by b');

    await b.close();
    db.put(fact({ key: 'lag/3', value: 3 }));
    const [failed] = await engine.syncAll();
    expect(failed).toMatchObject({ ok: false });
    const down = peerStatus(db, 'b');
    expect(down).toMatchObject({ lagFacts: 1, consecutiveFailures: 1, lastSuccessAt: synced.lastSuccessAt });
    expect(down.lastFailureAt).not.toBeNull();
    expect(down.nextAttemptAt).not.toBeNull();
    expect(down.lastError).toMatch(/^unavailable: cannot reach/);
  });
});

describe('SyncEngine: resync_required', () => {
  test('pulls the whole feed again and deletes what the peer deleted and collected, keeping unpushed facts', async () => {
    const b = await startForgetfulPeer('b', 0);
    const warnings: string[] = [];
    const { db, engine } = localNode([asPeer(b)], { logger: { warn: (message: string) => warnings.push(message) } });
    await b.client.putBatch([
      { key: 'b/keep', value: 1 },
      { key: 'b/deleted', value: 2 },
    ]);
    db.put(fact({ key: 'a/pushed', value: 3 }));
    await syncUntilQuiet(engine);
    expect(await b.client.find('a/pushed')).toBeDefined();

    // While a is away, b deletes one of its facts and one a pushed, and collects both tombstones.
    await b.client.delete('b/deleted');
    await b.client.delete('a/pushed');
    await b.client.put({ key: 'b/new', value: 4 });
    db.put(fact({ key: 'a/unpushed', value: 5 }));
    let removed = 0;
    while (removed < 2) removed += b.db.gc().tombstonesRemoved; // retention 0: gone once the clock moved past them
    expect(b.db.gcWatermark()).toBeGreaterThan(db.peerState('b').lastPulledSeq);

    const [result] = await engine.syncAll();
    expect(result).toMatchObject({ ok: true, error: null });
    expect(warnings.some((warning) => warning.includes('resync'))).toBe(true);
    expect(liveKeys(db)).toEqual(['a/unpushed', 'b/keep', 'b/new']);
    expect(db.peerState('b').lastPulledSeq).toBeGreaterThanOrEqual(b.db.gcWatermark());
    await syncUntilQuiet(engine);
    expect((await b.client.query()).facts.map((item) => item.key)).toEqual(['a/unpushed', 'b/keep', 'b/new']);

    // The cursor is past the collected tombstones now: no second resync.
    const resyncs = warnings.filter((warning) => warning.includes('resync')).length;
    await b.client.put({ key: 'b/later', value: 6 });
    await syncUntilQuiet(engine);
    expect(warnings.filter((warning) => warning.includes('resync'))).toHaveLength(resyncs);
    expect(db.get('b/later')?.value).toBe(6);
  });

  test('a fact the peer writes behind the resync snapshot and that arrives another way survives on both nodes', async () => {
    const b = await startForgetfulPeer('b', 0);
    await b.client.putBatch([
      ...Array.from({ length: 4 }, (_, i) => ({ key: `k/${i}`, value: i })),
      { key: 'gone', value: 0 },
    ]);
    let armed = false;
    const record = recordingClientFor([]);
    const clientFor = (peer: Peer) => {
      const client = record(peer);
      const pull = client.pullText.bind(client);
      client.pullText = async (input, options) => {
        const page = await pull(input, options);
        if (armed && input.afterKey === null) {
          // The first snapshot page (k/0, k/1) is read; b writes k/00, which sorts before k/1, and
          // pushes it to a (as b's own engine or a third node would) while the snapshot goes on.
          armed = false;
          await b.client.put({ key: 'k/00', value: 'new' });
          const pushed = (await b.client.changes({ since: 0 })).changes.filter((change) => change.key === 'k/00');
          db.applyChanges(pushed, 'b');
        }
        return page;
      };
      return client;
    };
    const warnings: string[] = [];
    const { db, engine } = localNode([asPeer(b)], {
      batchSize: 4,
      clientFor,
      logger: { warn: (message: string) => warnings.push(message) },
    });
    await syncUntilQuiet(engine);

    // b deletes a fact and collects the tombstone: a's next pull needs a full resync.
    await b.client.delete('gone');
    while (b.db.gc().tombstonesRemoved === 0); // retention 0: gone once the clock moved past it
    expect(b.db.gcWatermark()).toBeGreaterThan(db.peerState('b').lastPulledSeq);
    armed = true;
    await syncUntilQuiet(engine);
    expect(warnings.some((warning) => warning.includes('full resync'))).toBe(true);
    expect(db.get('k/00')?.value).toBe('new');
    expect((await b.client.find('k/00'))?.value).toBe('new');
    const keys = ['k/0', 'k/00', 'k/1', 'k/2', 'k/3'];
    expect(liveKeys(db)).toEqual(keys);
    expect((await b.client.query()).facts.map((item) => item.key)).toEqual(keys);
  });

  test('a peer whose database was replaced (cursor beyond its feed) gets everything back, nothing is deleted', async () => {
    const b = await startPeer('b');
    const { db, engine } = localNode([asPeer(b)]);
    await b.client.putBatch(Array.from({ length: 5 }, (_, i) => ({ key: `old/${i}`, value: i })));
    db.put(fact({ key: 'from/a', value: 'a' }));
    await syncUntilQuiet(engine);
    await b.close();

    const replaced = await startPeer('b');
    db.addPeer({ id: 'b', url: replaced.url });
    await replaced.client.put({ key: 'fresh', value: true });
    await syncUntilQuiet(engine);
    const keys = ['fresh', 'from/a', 'old/0', 'old/1', 'old/2', 'old/3', 'old/4'];
    expect(liveKeys(db)).toEqual(keys);
    expect((await replaced.client.query()).facts.map((item) => item.key)).toEqual(keys);
    expect(await remoteSnapshot(replaced.client)).toEqual(snapshot(db));
  });

  test('a replaced peer that has collected tombstones past the cursor is resynced as replaced: nothing is deleted', async () => {
    const { db, engine, warnings, cursor } = await syncedWithLostPeer();

    // A new database under the same id, whose GC has already passed the old cursor: the peer answers
    // the pull with resync_required for collected tombstones, not for a cursor beyond its feed.
    const replaced = await startForgetfulPeer('b', 0);
    for (let round = 0; replaced.db.gcWatermark() <= cursor; round++) {
      await replaced.client.put({ key: `gone/${round}`, value: round });
      await replaced.client.delete(`gone/${round}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      replaced.db.gc();
    }
    db.addPeer({ id: 'b', url: replaced.url });
    await syncUntilQuiet(engine);
    const keys = ['from/a', 'old/0', 'old/1', 'old/2'];
    expect(liveKeys(db)).toEqual(keys);
    expect((await replaced.client.query()).facts.map((item) => item.key)).toEqual(keys);
    expect(warnings.some((warning) => warning.includes('new database'))).toBe(true);
  });

  test('a replaced peer whose new feed already reaches past the cursor is recognised by its feed id', async () => {
    const { db, engine, warnings, cursor } = await syncedWithLostPeer();

    const replaced = await startPeer('b');
    await replaced.client.putBatch(Array.from({ length: cursor + 5 }, (_, i) => ({ key: `new/${i}`, value: i })));
    db.addPeer({ id: 'b', url: replaced.url });
    await syncUntilQuiet(engine);
    expect(warnings.some((warning) => warning.includes('new database'))).toBe(true);
    // Without the feed id the pull would have started at the old cursor and missed new/0..new/<cursor>.
    expect(liveKeys(db).filter((key) => key.startsWith('new/'))).toHaveLength(cursor + 5);
    expect(await remoteSnapshot(replaced.client)).toEqual(snapshot(db));
    expect(db.peerState('b').pulledFeedId).toBe(replaced.db.feedId);
  });
});

describe('SyncEngine: the first pull is a snapshot in key order', () => {
  test('reads keys in order, then follows the feed for what changed while it ran', async () => {
    const b = await startPeer('b');
    await b.client.putBatch(Array.from({ length: 6 }, (_, i) => ({ key: `k/${5 - i}`, value: i })));
    const log: RecordedRequest[] = [];
    const record = recordingClientFor(log);
    let wrote = false;
    // After the first snapshot page, the peer overwrites a key already read and one not read yet,
    // deletes one not read yet and adds a new one: all of that must arrive through the feed.
    const clientFor = (peer: Peer) => {
      const client = record(peer);
      const pull = client.pullText.bind(client);
      client.pullText = async (input, options) => {
        const page = await pull(input, options);
        if (!wrote && input.afterKey !== undefined) {
          wrote = true;
          await b.client.put({ key: 'k/0', value: 'new 0' });
          await b.client.put({ key: 'k/4', value: 'new 4' });
          await b.client.delete('k/5');
          await b.client.put({ key: 'a/first', value: 'added' });
        }
        return page;
      };
      return client;
    };
    const { db, engine } = localNode([asPeer(b)], { batchSize: 4, clientFor });
    await syncUntilQuiet(engine);
    const pulls = log.filter((entry) => entry.path === '/sync/pull');
    expect(pulls.slice(0, 3).map((entry) => entry.body?.afterKey)).toEqual([null, 'k/1', 'k/3']);
    expect(pulls[3]?.body).toMatchObject({ since: 6 });
    expect(liveKeys(db)).toEqual(['a/first', 'k/0', 'k/1', 'k/2', 'k/3', 'k/4']);
    expect(db.get('k/0')?.value).toBe('new 0');
    expect(snapshot(db)).toEqual(await remoteSnapshot(b.client));
    expect(db.peerState('b')).toMatchObject({ lastPulledSeq: b.db.seq(), pullSnapshot: null });
  });

  test('a GC on the peer during the snapshot turns it into a full resync that deletes what was missed', async () => {
    const b = await startForgetfulPeer('b', 0);
    await b.client.putBatch(Array.from({ length: 4 }, (_, i) => ({ key: `k/${i}`, value: i })));
    const warnings: string[] = [];
    let collected = false;
    const record = recordingClientFor([]);
    const clientFor = (peer: Peer) => {
      const client = record(peer);
      const pull = client.pullText.bind(client);
      client.pullText = async (input, options) => {
        const page = await pull(input, options);
        if (!collected && input.afterKey === null) {
          // k/0 and k/1 were read; k/3 is deleted and its tombstone collected before it is read.
          collected = true;
          await b.client.delete('k/3');
          b.db.gc();
        }
        return page;
      };
      return client;
    };
    const { db, engine } = localNode([asPeer(b)], {
      batchSize: 4,
      clientFor,
      logger: { warn: (message: string) => warnings.push(message) },
    });
    db.applyChanges(
      (await b.client.changes({ since: 0 })).changes.filter((change) => change.key === 'k/3'),
      'b',
    );
    await syncUntilQuiet(engine);
    expect(warnings.some((warning) => warning.includes('full resync'))).toBe(true);
    expect(liveKeys(db)).toEqual(['k/0', 'k/1', 'k/2']);
    expect(db.peerState('b').pullSnapshot).toBeNull();
  });
});

describe('SyncEngine: background rounds', () => {
  test('start() syncs in the background until stop()', async () => {
    const b = await startPeer('b');
    const { db, engine } = localNode([asPeer(b)], { intervalMs: 20 });
    await b.client.put({ key: 'k', value: 1 });
    engine.start();
    expect(engine.running).toBe(true);
    while (db.get('k') === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    await b.client.put({ key: 'k2', value: 2 });
    while (db.get('k2') === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    await engine.stop();
    expect(engine.running).toBe(false);
    await b.client.put({ key: 'k3', value: 3 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(db.get('k3')).toBeUndefined();
  });
});
