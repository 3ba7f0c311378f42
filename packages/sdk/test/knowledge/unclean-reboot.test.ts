import { copyFileSync } from 'node:fs';
import { startKnowledgeServer } from '@fleet/knowledge-server';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { KnowledgeDB, SyncEngine } from '../../src/stores/index.ts';
import { fact, fleetErrorOf, freshPath, openDb } from './_knowledge.ts';

// With synchronous = NORMAL a machine that dies (power, kernel) may lose the last commits, and the
// feed positions they had go to the next changes. A peer that pulled past them must not skip those.

/** Marks the database at `path` as left open by a process in another boot of the machine. */
function leftOpenInAnotherBoot(path: string): void {
  const raw = new Database(path);
  raw.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('open_in_boot', 'a-boot-before-the-power-loss')").run();
  raw.close();
}

/** A copy of the database at `from` as it is now (what survives a power loss), written to a new path. */
async function copyAsOfNow(from: string): Promise<string> {
  const to = freshPath();
  const raw = new Database(from, { readonly: true });
  await raw.backup(to);
  raw.close();
  return to;
}

describe('a knowledge database whose last commits a reboot may have lost', () => {
  test('after a process crash (nothing lost) every cursor it gave out stays good', async () => {
    const path = freshPath();
    const db = new KnowledgeDB({ path, nodeId: 'b' });
    db.putBatch(Array.from({ length: 3 }, (_, i) => fact({ key: `k/${i}`, value: i })));
    const cursor = { since: db.seq(), feedId: db.feedId };
    // Not closed: what a SIGKILL leaves. Its commits are with the OS.
    const crashed = await copyAsOfNow(path);
    db.close();
    const afterCrash = new KnowledgeDB({ path: crashed });
    try {
      expect(afterCrash.feedId).not.toBe(cursor.feedId);
      expect(() => afterCrash.checkPullCursor(cursor.since, cursor.feedId)).not.toThrow();
    } finally {
      afterCrash.close();
    }
  });

  test('a peer that pulled changes the loss took gets the changes that took their feed positions', async () => {
    const path = freshPath();
    let b = await startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: path, nodeId: 'b' });
    b.db.putBatch(Array.from({ length: 3 }, (_, i) => fact({ key: `kept/${i}`, value: i })));
    // The disk as a power loss leaves it: the three first changes.
    const onDisk = await copyAsOfNow(path);
    b.db.putBatch(Array.from({ length: 5 }, (_, i) => fact({ key: `lost/${i}`, value: i })));

    const a = openDb({ nodeId: 'a' });
    a.addPeer({ id: 'b', url: b.url });
    const engine = new SyncEngine({ db: a });
    await engine.syncAll();
    expect(a.peerState('b').lastPulledSeq).toBe(8);
    await b.close();

    copyFileSync(onDisk, path);
    b = await startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: path, nodeId: 'b' });
    try {
      // Six new changes: feed positions 4 to 9, five of which a's cursor already passed.
      b.db.putBatch(Array.from({ length: 6 }, (_, i) => fact({ key: `new/${i}`, value: i })));
      a.addPeer({ id: 'b', url: b.url });
      for (let round = 0; round < 3; round++) await engine.syncAll();
      const keys = a.query({ prefix: 'new/', limit: 100 }).items.map((item) => item.key);
      expect(keys).toEqual(['new/0', 'new/1', 'new/2', 'new/3', 'new/4', 'new/5']);
    } finally {
      await engine.stop();
      await b.close();
    }
  });

  test('a push it acknowledged and then lost to a power loss is pushed again', async () => {
    const path = freshPath();
    let b = await startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: path, nodeId: 'b' });
    b.db.putBatch(Array.from({ length: 3 }, (_, i) => fact({ key: `kept/${i}`, value: i })));
    const a = openDb({ nodeId: 'a' });
    a.addPeer({ id: 'b', url: b.url });
    const engine = new SyncEngine({ db: a });
    await engine.syncAll();
    // The disk as the power loss will leave it: a's cursor on b (3) is still good on it.
    const onDisk = await copyAsOfNow(path);
    a.put(fact({ key: 'from/a', value: 'x' }));
    const [pushed] = await engine.syncAll();
    expect(pushed).toMatchObject({ ok: true, pushed: 1 });
    await b.close();

    copyFileSync(onDisk, path);
    leftOpenInAnotherBoot(path);
    b = await startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: path, nodeId: 'b' });
    try {
      expect(b.db.get('from/a')).toBeUndefined();
      a.addPeer({ id: 'b', url: b.url });
      await engine.syncAll();
      expect(b.db.get('from/a')?.value).toBe('x');
    } finally {
      await engine.stop();
      await b.close();
    }
  });

  test('the mark is there while the file is open, gone after a clean close, and never left by an open that failed', () => {
    const path = freshPath();
    const mark = () => {
      const raw = new Database(path, { readonly: true });
      try {
        return raw.prepare("SELECT value FROM meta WHERE key = 'open_in_boot'").get();
      } finally {
        raw.close();
      }
    };
    const db = new KnowledgeDB({ path, nodeId: 'b' });
    expect(mark()).toBeDefined();
    db.close();
    expect(mark()).toBeUndefined();
    // Another node id than the file's: refused, after the file was migrated and prepared.
    expect(() => new KnowledgeDB({ path, nodeId: 'c' })).toThrow();
    expect(mark()).toBeUndefined();
  });

  test('a file of schema version 2 left open across a reboot is judged so after the upgrade', () => {
    const path = freshPath();
    const db = new KnowledgeDB({ path, nodeId: 'b' });
    db.putBatch(Array.from({ length: 3 }, (_, i) => fact({ key: `k/${i}`, value: i })));
    db.close();
    // As version 2 left it, open in an earlier boot: one feed id in `meta`, no feed history.
    const raw = new Database(path);
    raw.exec(`DROP TABLE feeds; DELETE FROM meta WHERE key = 'feed_lineage';
      INSERT OR REPLACE INTO meta (key, value) VALUES ('feed_id', 'feed-of-v2');
      PRAGMA user_version = 2;`);
    raw.close();
    leftOpenInAnotherBoot(path);
    const upgraded = new KnowledgeDB({ path, nodeId: 'b' });
    try {
      const error = fleetErrorOf(() => upgraded.checkPullCursor(3, 'feed-of-v2'), 'resync_required');
      expect(error.details).toMatchObject({ reason: 'replaced' });
    } finally {
      upgraded.close();
    }
  });

  test('left open across a reboot, it refuses every cursor given out before, once', async () => {
    const path = freshPath();
    const db = new KnowledgeDB({ path, nodeId: 'b' });
    db.putBatch(Array.from({ length: 3 }, (_, i) => fact({ key: `k/${i}`, value: i })));
    const before = { since: db.seq(), feedId: db.feedId };
    db.close();
    leftOpenInAnotherBoot(path);
    const reopened = new KnowledgeDB({ path, nodeId: 'b' });
    const after = { since: reopened.seq(), feedId: reopened.feedId };
    try {
      const error = fleetErrorOf(() => reopened.checkPullCursor(before.since, before.feedId), 'resync_required');
      expect(error.details).toMatchObject({ reason: 'replaced' });
    } finally {
      reopened.close();
    }
    const again = new KnowledgeDB({ path, nodeId: 'b' });
    try {
      expect(() => again.checkPullCursor(after.since, after.feedId)).not.toThrow();
    } finally {
      again.close();
    }
  });
});
