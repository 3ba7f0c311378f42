import { startKnowledgeServer } from '@fleet/knowledge-server';
import { describe, expect, test } from 'vitest';
import { SyncEngine } from '../../src/stores/index.ts';
import { fact, freshPath, openDb, snapshot, testClock } from './_knowledge.ts';
import { type RecordedRequest, recordingClientFor, remoteSnapshot, startPeer } from './_sync.ts';

/** The push requests of `log`, each as its body's size in bytes and the status it was answered with. */
function pushes(log: readonly RecordedRequest[]): Array<{ bytes: number; status: number | undefined }> {
  return log
    .filter((entry) => entry.path === '/sync/push')
    .map((entry) => ({ bytes: Buffer.byteLength(JSON.stringify(entry.body)), status: entry.status }));
}

/** Node `a` (a database only) with peer `b` registered, syncing through a recording client; default maxPushBytes. */
function localNode(b: { nodeId: string; url: string }) {
  const db = openDb({ nodeId: 'a' });
  db.addPeer({ id: b.nodeId, url: b.url });
  const log: RecordedRequest[] = [];
  const warnings: string[] = [];
  const engine = new SyncEngine({
    db,
    clientFor: recordingClientFor(log),
    logger: { warn: (message: string) => warnings.push(message) },
  });
  return { db, engine, log, warnings };
}

const LIMIT = 64 * 1024;

describe('SyncEngine: a peer whose body limit is below maxPushBytes', () => {
  test('a push it refuses as too large is halved and sent again in the same round, and later rounds start small', async () => {
    const b = await startPeer('b', { bodyLimitBytes: LIMIT });
    const { db, engine, log, warnings } = localNode(b);
    db.putBatch(Array.from({ length: 200 }, (_, i) => fact({ key: `inv/${i}`, value: 'x'.repeat(1000) })));

    const [first] = await engine.syncAll();
    expect(first).toMatchObject({ peer: 'b', ok: true, pushed: 200, error: null });
    expect(await remoteSnapshot(b.client)).toEqual(snapshot(db));
    expect(db.peerState('b')).toMatchObject({ lastPushedSeq: db.seq(), consecutiveFailures: 0 });
    // Refused (413) until a request fit, then only requests within the peer's limit.
    const sent = pushes(log);
    const firstAccepted = sent.findIndex((push) => push.status === 200);
    expect(firstAccepted).toBeGreaterThan(0);
    expect(sent.slice(0, firstAccepted).every((push) => push.status === 413 && push.bytes > LIMIT)).toBe(true);
    expect(sent.slice(firstAccepted).every((push) => push.status === 200 && push.bytes <= LIMIT)).toBe(true);
    expect(warnings.filter((line) => line.includes('peer b refused a push of'))).toHaveLength(firstAccepted);

    // The next round remembers the smaller size: nothing is refused.
    log.length = 0;
    db.putBatch(Array.from({ length: 200 }, (_, i) => fact({ key: `more/${i}`, value: 'y'.repeat(1000) })));
    const [second] = await engine.syncAll();
    expect(second).toMatchObject({ ok: true, pushed: 200, error: null });
    expect(pushes(log).map((push) => push.status)).toEqual(pushes(log).map(() => 200));
    expect(await remoteSnapshot(b.client)).toEqual(snapshot(db));
  });

  test('a single change over its limit fails the attempt with payload_too_large naming the peer and the key', async () => {
    const b = await startPeer('b', { bodyLimitBytes: 8 * 1024 });
    const { db, engine, log } = localNode(b);
    db.put(fact({ key: 'small/0', value: 'x'.repeat(100) }));
    const smallSeq = db.seq();
    db.put(fact({ key: 'big/1', value: 'x'.repeat(10_000) }));
    db.put(fact({ key: 'small/2', value: 'x'.repeat(100) }));

    const [first] = await engine.syncAll();
    expect(first).toMatchObject({ peer: 'b', ok: false, pushed: 1 });
    expect(first?.error).toMatch(/^payload_too_large: peer b refuses a push of change "big\/1" alone \(\d+ bytes/);
    // What came before it was pushed and acknowledged; the cursor waits at the change that does not fit.
    expect(db.peerState('b')).toMatchObject({ lastPushedSeq: smallSeq, consecutiveFailures: 1 });
    expect((await b.client.query()).facts.map((item) => item.key)).toEqual(['small/0']);

    // Another attempt sends the oversized change alone once and fails the same way.
    log.length = 0;
    const [second] = await engine.syncAll();
    expect(second).toMatchObject({ ok: false, pushed: 0, error: first?.error });
    expect(pushes(log).map((push) => push.status)).toEqual([413]);
  });

  test('the full size is tried again 10 minutes after the last refusal: a peer whose limit was raised gets it', async () => {
    const path = freshPath();
    let b = await startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: path, nodeId: 'b', bodyLimitBytes: LIMIT });
    const clock = testClock(Date.now());
    const db = openDb({ nodeId: 'a' });
    db.addPeer({ id: 'b', url: b.url });
    const log: RecordedRequest[] = [];
    const engine = new SyncEngine({ db, clientFor: recordingClientFor(log), now: clock.now });
    const putMore = (prefix: string) =>
      db.putBatch(Array.from({ length: 200 }, (_, i) => fact({ key: `${prefix}/${i}`, value: 'x'.repeat(1000) })));
    try {
      putMore('one');
      expect((await engine.syncAll())[0]).toMatchObject({ ok: true, pushed: 200 });
      expect(pushes(log).some((push) => push.status === 413)).toBe(true);

      // b restarts on its file with a limit above maxPushBytes.
      await b.close();
      b = await startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: path, nodeId: 'b', bodyLimitBytes: 4 << 20 });
      db.addPeer({ id: 'b', url: b.url });

      // Within 10 minutes of the refusal: still the halved size.
      log.length = 0;
      clock.ms += 9 * 60 * 1000;
      putMore('two');
      expect((await engine.syncAll())[0]).toMatchObject({ ok: true, pushed: 200 });
      expect(pushes(log).every((push) => push.status === 200 && push.bytes <= LIMIT)).toBe(true);

      // Then the full size again, and it stays once the peer took it.
      for (const prefix of ['three', 'four']) {
        log.length = 0;
        clock.ms += 60 * 1000;
        putMore(prefix);
        expect((await engine.syncAll())[0]).toMatchObject({ ok: true, pushed: 200 });
        expect(pushes(log).map((push) => push.status)).toEqual([200]);
        expect(pushes(log)[0]!.bytes).toBeGreaterThan(LIMIT);
      }
    } finally {
      await engine.stop();
      await b.close();
    }
  });

  test('a peer that still refuses the full size goes back to its learned size at once, for another 10 minutes', async () => {
    const b = await startPeer('b', { bodyLimitBytes: LIMIT });
    const clock = testClock(Date.now());
    const db = openDb({ nodeId: 'a' });
    db.addPeer({ id: b.nodeId, url: b.url });
    const log: RecordedRequest[] = [];
    const engine = new SyncEngine({ db, clientFor: recordingClientFor(log), now: clock.now });
    const putMore = (prefix: string) =>
      db.putBatch(Array.from({ length: 200 }, (_, i) => fact({ key: `${prefix}/${i}`, value: 'x'.repeat(1000) })));
    putMore('one');
    await engine.syncAll();
    const learned = Math.max(
      ...pushes(log)
        .filter((push) => push.status === 200)
        .map((push) => push.bytes),
    );

    log.length = 0;
    clock.ms += 10 * 60 * 1000;
    putMore('two');
    expect((await engine.syncAll())[0]).toMatchObject({ ok: true, pushed: 200 });
    const sent = pushes(log);
    expect(sent[0]).toMatchObject({ status: 413 });
    expect(sent.slice(1).every((push) => push.status === 200 && push.bytes <= learned)).toBe(true);

    log.length = 0;
    clock.ms += 9 * 60 * 1000;
    putMore('three');
    await engine.syncAll();
    expect(pushes(log).every((push) => push.status === 200)).toBe(true);
    await engine.stop();
  });
});
