import { createKnowledgeServer } from '@fleet/knowledge-server';
import { afterEach, expect, test } from 'vitest';
import { KnowledgeDB, SyncEngine } from '../../src/stores/index.ts';
import { fact, freshPath, openDb } from './_knowledge.ts';
import { type RecordedRequest, recordingClientFor } from './_sync.ts';

// One attempt with a peer pulls, then pushes. A pull this node refuses for what the peer sent (a
// version too far ahead of this clock) says nothing about the push: the push still goes, and the
// pull's error is the attempt's outcome. A pull the peer refuses, or one that cannot reach it,
// means a push would fail the same way (or go to the wrong place), so none is sent.

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A knowledge server over its own database (clock `now`, optional `tokens`), closed after the test. */
async function peerNode(
  nodeId: string,
  options: { now?: () => number; tokens?: string[]; bodyLimitBytes?: number } = {},
) {
  const db = new KnowledgeDB({ path: freshPath(), nodeId, ...(options.now ? { now: options.now } : {}) });
  const server = createKnowledgeServer({
    db,
    syncIntervalMs: 0,
    gcIntervalMs: 0,
    ...(options.tokens ? { tokens: options.tokens } : {}),
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
  });
  const { url } = await server.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => server.close());
  return { db, url };
}

test('a pull refused for clock skew still pushes this node’s changes and reports the skew', async () => {
  let aheadMs = 0;
  const a = await peerNode('a', { now: () => Date.now() + aheadMs });
  // A's clock ran two minutes ahead for one write, then was set right.
  aheadMs = 120_000;
  a.db.put(fact({ key: 'from/a', value: 1 }));
  aheadMs = 0;

  const b = openDb({ nodeId: 'b' });
  b.addPeer({ id: 'a', url: a.url });
  b.put(fact({ key: 'from/b', value: 2 }));
  const log: RecordedRequest[] = [];
  const engine = new SyncEngine({ db: b, clientFor: recordingClientFor(log) });
  const [result] = await engine.syncAll();

  expect(result).toMatchObject({ peer: 'a', ok: false, pulled: 0, pushed: 1 });
  expect(result?.error).toMatch(/^clock_skew: /);
  expect(a.db.get('from/b')?.value).toBe(2);
  expect(b.get('from/a')).toBeUndefined();
  expect(b.peerState('a')).toMatchObject({ consecutiveFailures: 1, lastError: result?.error });
  expect(log.map((entry) => `${entry.path} ${entry.status}`)).toEqual(['/sync/pull 200', '/sync/push 200']);
  await engine.stop();
});

test('when the push after a skewed pull fails too, the skew stays the outcome and the push failure is logged', async () => {
  let aheadMs = 120_000;
  const a = await peerNode('a', { now: () => Date.now() + aheadMs, bodyLimitBytes: 8 * 1024 });
  a.db.put(fact({ key: 'from/a', value: 1 }));
  aheadMs = 0;
  const b = openDb({ nodeId: 'b' });
  b.addPeer({ id: 'a', url: a.url });
  b.put(fact({ key: 'big', value: 'x'.repeat(16 * 1024) }));
  const warnings: string[] = [];
  const engine = new SyncEngine({ db: b, pullInWorker: false, logger: { warn: (line) => warnings.push(line) } });
  const [result] = await engine.syncAll();

  expect(result).toMatchObject({ peer: 'a', ok: false, pushed: 0 });
  expect(result?.error).toMatch(/^clock_skew: /);
  expect(warnings.some((line) => /after a refused pull failed too: payload_too_large: /.test(line))).toBe(true);
  expect(a.db.get('big')).toBeUndefined();
  await engine.stop();
});

test('a pull the peer refuses as unauthorized sends no push', async () => {
  const a = await peerNode('a', { tokens: ['right'] });
  const b = openDb({ nodeId: 'b' });
  b.addPeer({ id: 'a', url: a.url }); // and no token: A answers 401
  b.put(fact({ key: 'from/b', value: 2 }));
  const log: RecordedRequest[] = [];
  const engine = new SyncEngine({ db: b, clientFor: recordingClientFor(log) });
  const [result] = await engine.syncAll();

  expect(result).toMatchObject({ peer: 'a', ok: false, pushed: 0 });
  expect(result?.error).toMatch(/^unauthorized/);
  expect(log.map((entry) => `${entry.path} ${entry.status}`)).toEqual(['/sync/pull 401']);
  await engine.stop();
});
