import { copyFileSync } from 'node:fs';
import { startKnowledgeServer } from '@fleet/knowledge-server';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { KnowledgeDB, SyncEngine } from '../../src/stores/index.ts';
import { fact, fleetErrorOf, freshPath, openDb, testClock } from './_knowledge.ts';
import { type RecordedRequest, recordingClientFor } from './_sync.ts';

// A database file can come back older than the feed its peers pulled: restored from a backup, or
// after a power loss took its last commits. Its feed positions after that point are then given
// again to new changes, and a peer whose cursor passed them must not skip those.

/** Puts `count` facts `<prefix>/0..` in one batch. */
function putMany(db: KnowledgeDB, prefix: string, count: number): void {
  db.putBatch(Array.from({ length: count }, (_, i) => fact({ key: `${prefix}/${i}`, value: i })));
}

/** The reason a refused pull cursor gives. */
function refusal(db: KnowledgeDB, since: number, feedId: string): unknown {
  const error = fleetErrorOf(() => db.checkPullCursor(since, feedId), 'resync_required');
  return (error.details as { reason?: unknown }).reason;
}

describe('feed ids: one per open of the file', () => {
  test('a cursor on an earlier feed of the file stays good up to where that feed ended', () => {
    const path = freshPath();
    const first = new KnowledgeDB({ path, nodeId: 'b' });
    putMany(first, 'one', 3);
    const firstFeed = first.feedId;
    first.close();
    const second = new KnowledgeDB({ path });
    try {
      expect(second.feedId).not.toBe(firstFeed);
      putMany(second, 'two', 2);
      expect(second.changes(0, 10).feedId).toBe(second.feedId);
      for (const since of [1, 3]) expect(() => second.checkPullCursor(since, firstFeed)).not.toThrow();
      // Positions 4 and 5 were given out under the second feed only.
      expect(refusal(second, 4, firstFeed)).toBe('replaced');
      expect(() => second.checkPullCursor(5, second.feedId)).not.toThrow();
      expect(refusal(second, 6, second.feedId)).toBe('replaced');
      expect(refusal(second, 2, 'a-feed-of-another-file')).toBe('replaced');
      // A full pull is always fine; a cursor without its feed id is judged by its position alone.
      expect(() => second.checkPullCursor(0, 'a-feed-of-another-file')).not.toThrow();
      expect(() => second.checkPullCursor(5)).not.toThrow();
    } finally {
      second.close();
    }
  });

  test('a copy restored from a backup refuses the cursors given out after the copy, however long its feed grows', () => {
    const path = freshPath();
    const backup = freshPath();
    const original = new KnowledgeDB({ path, nodeId: 'b' });
    putMany(original, 'old', 3);
    original.close();
    copyFileSync(path, backup);
    const later = new KnowledgeDB({ path });
    putMany(later, 'lost', 3);
    const cursor = { since: later.seq(), feedId: later.feedId };
    later.close();

    copyFileSync(backup, path);
    const restored = openDb({ path });
    expect(restored.seq()).toBe(3);
    putMany(restored, 'new', 10);
    expect(restored.seq()).toBeGreaterThan(cursor.since);
    expect(refusal(restored, cursor.since, cursor.feedId)).toBe('replaced');
  });

  test('a file of schema version 2 keeps its feed id good for the cursors it gave out', () => {
    const path = freshPath();
    const db = new KnowledgeDB({ path, nodeId: 'b' });
    putMany(db, 'v2', 4);
    db.close();
    // As version 2 left it: one feed id in `meta`, no feed history.
    const raw = new Database(path);
    raw.exec(`DROP TABLE IF EXISTS feeds;
      INSERT OR REPLACE INTO meta (key, value) VALUES ('feed_id', 'feed-of-v2');
      PRAGMA user_version = 2;`);
    raw.close();
    const migrated = openDb({ path });
    expect(migrated.feedId).not.toBe('feed-of-v2');
    expect(() => migrated.checkPullCursor(4, 'feed-of-v2')).not.toThrow();
    putMany(migrated, 'v3', 2);
    expect(refusal(migrated, 5, 'feed-of-v2')).toBe('replaced');
  });
});

describe('the feed history is bounded', () => {
  test('it keeps the newest 10,000 feeds; a cursor on a forgotten one is judged by its position, never as replaced', () => {
    const path = freshPath();
    const clock = testClock();
    const options = { path, nodeId: 'b', now: clock.now, tombstoneRetentionSeconds: 60 };
    const first = new KnowledgeDB(options);
    putMany(first, 'old', 4);
    const cursor = { since: 2, feedId: first.feedId };
    first.close();
    // 10,000 opens since, as a restart loop leaves them (each open adds one feed, ending where it began).
    const raw = new Database(path);
    const { value: lineage } = raw.prepare("SELECT value FROM meta WHERE key = 'feed_lineage'").get() as {
      value: string;
    };
    raw.prepare('UPDATE feeds SET end_seq = 4 WHERE end_seq IS NULL').run();
    const insert = raw.prepare('INSERT INTO feeds (id, from_seq, end_seq) VALUES (?, 4, 4)');
    raw.transaction(() => {
      for (let i = 0; i < 10_000; i++) insert.run(`${lineage}.open-${i}`);
    })();
    raw.close();

    const db = new KnowledgeDB(options);
    try {
      const rows = () => {
        const reader = new Database(path, { readonly: true });
        const { n } = reader.prepare('SELECT count(*) AS n FROM feeds').get() as { n: number };
        reader.close();
        return n;
      };
      expect(rows()).toBe(10_000);
      expect(db.feedId.startsWith(`${lineage}.`)).toBe(true);
      // The cursor's feed is forgotten: up to where the forgotten feeds ended, its position is good.
      expect(() => db.checkPullCursor(cursor.since, cursor.feedId)).not.toThrow();
      expect(refusal(db, 5, cursor.feedId)).toBe('replaced');
      // A feed of another database is still told apart.
      expect(refusal(db, cursor.since, 'another-lineage.some-feed')).toBe('replaced');
      // Once GC passes the cursor, it is refused as collected (a resync that deletes), not replaced.
      db.delete('old/0');
      clock.ms += 120_000;
      expect(db.gc().tombstonesRemoved).toBe(1);
      expect(refusal(db, cursor.since, cursor.feedId)).toBe('collected');
      db.close();
      // Each further open forgets one.
      new KnowledgeDB(options).close();
      expect(rows()).toBe(10_000);
    } finally {
      db.close();
    }
  });
});

describe('a peer of a node restarted on its own file, and on a restored backup copy', () => {
  test('a restart costs the peer nothing; a restored copy is noticed and resynced, its new facts all pulled', async () => {
    const path = freshPath();
    const backup = freshPath();
    const start = () => startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: path, nodeId: 'b' });
    let b = await start();
    putMany(b.db, 'old', 5);

    const a = openDb({ nodeId: 'a' });
    a.addPeer({ id: 'b', url: b.url });
    const requests: RecordedRequest[] = [];
    const warnings: string[] = [];
    const engine = new SyncEngine({
      db: a,
      clientFor: recordingClientFor(requests),
      logger: { warn: (message: string) => warnings.push(message) },
    });
    try {
      await engine.syncAll();
      await b.close();
      copyFileSync(path, backup);

      // A plain restart: a follows the new feed from its cursor, no snapshot, no resync.
      b = await start();
      putMany(b.db, 'lost', 5);
      a.addPeer({ id: 'b', url: b.url });
      requests.length = 0;
      const [afterRestart] = await engine.syncAll();
      expect(afterRestart).toMatchObject({ ok: true, pulled: 5 });
      const pulls = requests.filter((request) => request.path === '/sync/pull');
      expect(pulls.map((request) => request.body?.since)).toEqual([5]);
      expect(warnings).toEqual([]);
      expect(a.peerState('b')).toMatchObject({ lastPulledSeq: 10, pulledFeedId: b.db.feedId });
      await b.close();

      // The backup comes back: its feed ends at 5, and a's cursor (10) was given out after the copy.
      copyFileSync(backup, path);
      b = await start();
      putMany(b.db, 'new', 8);
      a.addPeer({ id: 'b', url: b.url });
      for (let round = 0; round < 3; round++) await engine.syncAll();
      const keys = a.query({ prefix: 'new/', limit: 100 }).items.map((item) => item.key);
      expect(keys).toEqual(Array.from({ length: 8 }, (_, i) => `new/${i}`));
      // b forgot lost/*: a gives them back.
      expect(b.db.query({ prefix: 'lost/', limit: 100 }).items).toHaveLength(5);
      expect(warnings.some((warning) => warning.includes('resync'))).toBe(true);
    } finally {
      await engine.stop();
      await b.close();
    }
  });
});
