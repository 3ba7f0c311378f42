import { expect, test } from 'vitest';
import { type KnowledgeDB, SyncEngine } from '../../src/stores/index.ts';
import { startHungPeer } from '../client/_hung-peer.ts';
import { openDb } from './_knowledge.ts';
import { startPeer } from './_sync.ts';

// A peer that accepts connections and never answers (a hung process, a tarpit) must cost one
// connection per attempt, closed when the attempt ends, and must not delay any other peer. Waits
// below end on events (a fact arriving, a connection closing); a regression fails at the test's
// timeout, far below the engine's request timeout.

/** Resolves once `key` is in `db` (polled: a background sync writes it). */
async function arrived(db: KnowledgeDB, key: string): Promise<void> {
  while (db.get(key) === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('background rounds keep syncing a healthy peer while an attempt with a hung peer waits', {
  timeout: 20_000,
}, async () => {
  const b = await startPeer('b');
  const hung = await startHungPeer();
  const db = openDb({ nodeId: 'a' });
  db.addPeer({ id: 'b', url: b.url });
  db.addPeer({ id: 'hung', url: hung.url });
  // The hung peer's request would only time out after two minutes.
  const engine = new SyncEngine({ db, intervalMs: 20, timeoutMs: 120_000, pullInWorker: false });
  await b.client.put({ key: 'first', value: 1 });
  engine.start();
  await Promise.all([arrived(db, 'first'), hung.received(1)]);

  await b.client.put({ key: 'second', value: 2 });
  await arrived(db, 'second');
  await b.client.put({ key: 'third', value: 3 });
  await arrived(db, 'third');
  // The hung peer's attempt is still the first one: a round does not start a peer twice.
  expect(hung.requests).toBe(1);

  await engine.stop();
  await hung.requestsClosed(1);
  // An attempt aborted by stop() is not a failure of the peer.
  expect(db.peerState('hung')).toMatchObject({ consecutiveFailures: 0, lastError: null });
  expect(db.peerState('b')).toMatchObject({ consecutiveFailures: 0, lastError: null });
});

test('each timed-out attempt with a hung peer closes its connection', { timeout: 20_000 }, async () => {
  const hung = await startHungPeer();
  const db = openDb({ nodeId: 'a' });
  db.addPeer({ id: 'hung', url: hung.url });
  const engine = new SyncEngine({ db, timeoutMs: 200, pullInWorker: false });
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [result] = await engine.syncAll();
    expect(result).toMatchObject({ peer: 'hung', ok: false, error: expect.stringMatching(/no answer within 200 ms/) });
  }
  await hung.requestsClosed(3);
  expect(db.peerState('hung').consecutiveFailures).toBe(3);

  // And one aborted by stop() while it waits.
  const pending = engine.syncAll();
  await hung.received(4);
  await engine.stop();
  expect(await pending).toMatchObject([{ ok: false, error: 'unavailable: the sync engine stopped' }]);
  await hung.requestsClosed(4);
});
