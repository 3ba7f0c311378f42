import { createKnowledgeServer } from '@fleet/knowledge-server';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from 'vitest';
import { KnowledgeClient } from '../../src/index.ts';
import { KnowledgeDB, SyncEngine } from '../../src/stores/index.ts';
import { fact, freshPath, openDb, snapshot, type TestClock, testClock } from './_knowledge.ts';

// Every open of a database file starts a new feed id. A peer that restarts while this node reads
// its facts in key order (a first pull, or a full resync) therefore answers from another feed mid
// read: that is the same file, and must neither look like a replaced database (this node would push
// its whole feed, bringing back what the peer deleted) nor throw the read away.

/**
 * Node `b`: a real knowledge server over one file, restarted on demand (on the same file unless
 * told otherwise) on a new port, so no connection to the stopped one is reused; `url` is the current one.
 */
async function restartableNode(clock: TestClock, path = freshPath()) {
  const open = async (file: string) => {
    const db = new KnowledgeDB({ path: file, nodeId: 'b', now: clock.now, tombstoneRetentionSeconds: 60 });
    const server = createKnowledgeServer({ db, syncIntervalMs: 0 });
    const { url } = await server.listen({ host: '127.0.0.1', port: 0 });
    return { db, server, url };
  };
  let current = await open(path);
  const node = {
    get url() {
      return current.url;
    },
    get db() {
      return current.db;
    },
    async restart(file = path) {
      await current.server.close();
      current = await open(file);
    },
    close: () => current.server.close(),
  };
  running.push(node);
  return node;
}

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.close()));
});

/**
 * Node `a` with peer `b`, pulling pages of 2; `beforeSnapshotPage` runs before each snapshot page
 * request after the first (`afterKey` a key) goes out.
 */
function localNode(b: { url: string }, clock: TestClock, beforeSnapshotPage: () => Promise<void>) {
  const db = openDb({ nodeId: 'a', now: clock.now });
  db.addPeer({ id: 'b', url: 'http://b.invalid' });
  const warnings: string[] = [];
  // Sent with the real fetch to wherever b listens now; `beforeSnapshotPage` runs first.
  const clientFor = () =>
    new KnowledgeClient({
      url: 'http://b.invalid',
      retry: 0,
      fetch: async (input, init) => {
        const request = new Request(input, init);
        const body = request.method === 'POST' ? await request.clone().json() : undefined;
        if (request.url.endsWith('/sync/pull') && typeof body?.afterKey === 'string') await beforeSnapshotPage();
        return fetch(new URL(new URL(request.url).pathname, b.url), {
          method: request.method,
          headers: request.headers,
          body: body === undefined ? null : JSON.stringify(body),
        });
      },
    });
  const engine = new SyncEngine({
    db,
    batchSize: 4,
    clientFor,
    logger: { warn: (message: string) => warnings.push(message) },
  });
  return { db, engine, warnings };
}

const liveKeys = (db: KnowledgeDB) => db.query({ limit: 100 }).items.map((item) => item.key);

const twenty = () => Array.from({ length: 20 }, (_, i) => fact({ key: `k/${String(i).padStart(2, '0')}`, value: i }));

/** A copy of the database at `path` as it is now (a backup, or what a power loss leaves), at a new path. */
async function backupOf(path: string): Promise<string> {
  const copy = freshPath();
  const raw = new Database(path, { readonly: true });
  await raw.backup(copy);
  raw.close();
  return copy;
}

describe('SyncEngine: a peer restarting while this node reads its facts', () => {
  test('during a full resync for collected tombstones: the deletion it missed is applied, nothing comes back', async () => {
    const clock = testClock();
    const b = await restartableNode(clock);
    b.db.putBatch(twenty());
    let restarts = 0;
    const { db, engine, warnings } = localNode(b, clock, async () => {
      if (restarts > 0) return;
      restarts += 1;
      await b.restart();
    });
    restarts = 1; // not during the first pull
    const [first] = await engine.syncAll();
    expect(first).toMatchObject({ ok: true, pulled: 20 });

    // b deletes k/05 and, past the retention, collects the tombstone: a's cursor predates it.
    b.db.delete('k/05');
    clock.ms += 120_000;
    expect(b.db.gc().tombstonesRemoved).toBe(1);
    restarts = 0; // b restarts while a reads its snapshot
    const [resync] = await engine.syncAll();
    expect(resync).toMatchObject({ ok: true, error: null, pushed: 0 });
    expect(restarts).toBe(1);
    expect(warnings.some((line) => line.includes('deleted 1 facts that peer b deleted'))).toBe(true);
    expect(warnings.some((line) => line.includes('new database'))).toBe(false);

    await engine.syncAll();
    expect(db.get('k/05')).toBeUndefined();
    expect(b.db.get('k/05')).toBeUndefined();
    expect(liveKeys(db)).toEqual(liveKeys(b.db));
  });

  test('during the first pull: the snapshot reads on from where it was, no resync, nothing pushed', async () => {
    const clock = testClock();
    const b = await restartableNode(clock);
    b.db.putBatch(twenty());
    let restarts = 0;
    const { db, engine, warnings } = localNode(b, clock, async () => {
      if (restarts > 0) return;
      restarts += 1;
      await b.restart();
    });
    const [first] = await engine.syncAll();
    expect(restarts).toBe(1);
    expect(first).toMatchObject({ ok: true, error: null, pulled: 20, pushed: 0 });
    expect(warnings.some((line) => line.includes('full resync') || line.includes('new database'))).toBe(false);
    expect(db.peerState('b')).toMatchObject({ lastPulledSeq: 20, pulledFeedId: b.db.feedId, pullSnapshot: null });
    expect(snapshot(db)).toEqual(snapshot(b.db));
  });

  test('before every page of the first pull: the snapshot still finishes in one round', async () => {
    const clock = testClock();
    const b = await restartableNode(clock);
    b.db.putBatch(twenty());
    let restarts = 0;
    const { db, engine } = localNode(b, clock, async () => {
      restarts += 1;
      await b.restart();
    });
    const [first] = await engine.syncAll();
    expect(restarts).toBe(9); // 10 pages of 2
    expect(first).toMatchObject({ ok: true, error: null, pulled: 20, pushed: 0 });
    expect(snapshot(db)).toEqual(snapshot(b.db));
  });

  test('a database replaced during the first pull is still told apart: it gets this node’s whole feed', async () => {
    const clock = testClock();
    const b = await restartableNode(clock);
    b.db.putBatch(twenty());
    let restarts = 0;
    const { db, engine, warnings } = localNode(b, clock, async () => {
      if (restarts > 0) return;
      restarts += 1;
      await b.restart(freshPath()); // the same node id on a new, empty file
    });
    db.put(fact({ key: 'from/a', value: 'a' }));
    const [first] = await engine.syncAll();
    expect(first?.error).toBeNull();
    expect(warnings.some((line) => line.includes('new database'))).toBe(true);
    expect(b.db.get('from/a')).toBeDefined();
    // What a read before the replacement is kept, nothing is deleted.
    expect(db.get('k/00')).toBeDefined();
  });

  test('back from a copy older than a page it read: the read does not keep what the peer lost, they converge', async () => {
    const clock = testClock();
    const path = freshPath();
    const b = await restartableNode(clock, path);
    b.db.putBatch(twenty());
    // The copy b comes back from (a backup, or what a power loss leaves): at feed position 20.
    const copy = await backupOf(path);
    let pages = 0;
    const { db, engine, warnings } = localNode(b, clock, async () => {
      pages += 1;
      // Position 21, after the read's start (20): a later page carries it.
      if (pages === 1) b.db.delete('k/03');
      if (pages === 2) await b.restart(copy);
    });
    for (let round = 0; round < 3; round++) await engine.syncAll();
    expect(pages).toBeGreaterThan(2);
    expect(liveKeys(db)).toEqual(liveKeys(b.db));
    // b lost its deletion of k/03, which a had read: b gets a's whole feed, the deletion with it.
    expect(warnings.some((line) => line.includes('new database'))).toBe(true);
  });

  test('back from a copy older than a page it read, while the read was stopped: the resumed read checks that page too', async () => {
    const clock = testClock();
    const path = freshPath();
    const b = await restartableNode(clock, path);
    b.db.putBatch(twenty());
    const copy = await backupOf(path);
    let pages = 0;
    const { db, engine, warnings } = localNode(b, clock, async () => {
      pages += 1;
      if (pages === 1) b.db.delete('k/03');
      if (pages === 2) {
        // The read stops here (its progress stored), and b comes back from the copy meanwhile.
        await b.restart(copy);
        throw new TypeError('fetch failed');
      }
    });
    const [stopped] = await engine.syncAll();
    expect(stopped?.ok).toBe(false);
    expect(db.peerState('b').pullSnapshot).toMatchObject({ seq: 20, seen: 21 });
    for (let round = 0; round < 3; round++) await engine.syncAll();
    expect(liveKeys(db)).toEqual(liveKeys(b.db));
    expect(warnings.some((line) => line.includes('new database'))).toBe(true);
  });
});
