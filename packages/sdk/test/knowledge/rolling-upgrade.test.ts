import { createServer, type Server } from 'node:http';
import { describe, expect, test } from 'vitest';
import { SyncPullInput } from '../../src/schemas/sync.ts';
import { isHttpError, validateInput } from '../../src/server/index.ts';
import { SyncEngine } from '../../src/stores/index.ts';
import { fact, openDb, testClock } from './_knowledge.ts';
import { type PeerNode, type RecordedRequest, recordingClientFor, startPeer } from './_sync.ts';

// During a rolling upgrade a node of the version before feed histories validates `POST /sync/pull`
// strictly (no `feedId`) and answers 400 to a pull that names its cursor's feed. The engine pulls
// before it pushes, so without a fallback an upgraded node would neither pull from nor push to it.

/** The pull input of that older version: the same, without `feedId`, strict. */
const OlderPullInput = SyncPullInput.omit({ feedId: true });

/**
 * Node `node` as the older version answers: a real HTTP server in front of it that validates pull
 * bodies with {@link OlderPullInput} (through the servers' own `validateInput`, so the 400 is the
 * one they send) and hands every request on to the node.
 */
async function asOlderVersion(node: PeerNode): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      if (request.url === '/sync/pull') validateInput(OlderPullInput, JSON.parse(body), 'body');
    } catch (error) {
      if (!isHttpError(error)) throw error;
      response.writeHead(error.status, { 'content-type': 'application/json' }).end(JSON.stringify(error.toJSON()));
      return;
    }
    const answer = await fetch(new URL(request.url ?? '/', node.url), {
      method: request.method ?? 'GET',
      headers: { 'content-type': 'application/json' },
      ...(request.method === 'POST' ? { body } : {}),
    });
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The `/sync/pull` requests of `log` that named a feed, and the statuses they got. */
const pullsNamingFeed = (log: readonly RecordedRequest[]) =>
  log.filter((entry) => entry.path === '/sync/pull' && entry.body?.feedId !== undefined).map((entry) => entry.status);

describe('SyncEngine: a peer of the version before feed histories', () => {
  test('is pulled from without feedId once it refuses it, and pushed to; feedId is offered again after 10 minutes', async () => {
    const b = await startPeer('b');
    const older = await asOlderVersion(b);
    const clock = testClock(Date.now());
    const db = openDb({ nodeId: 'a' });
    db.addPeer({ id: 'b', url: older.url });
    const log: RecordedRequest[] = [];
    const warnings: string[] = [];
    const engine = new SyncEngine({
      db,
      clientFor: recordingClientFor(log),
      now: clock.now,
      logger: { warn: (message: string) => warnings.push(message) },
    });
    try {
      await b.client.put({ key: 'from/b', value: 1 });
      expect((await engine.syncAll())[0]).toMatchObject({ ok: true, error: null });
      expect(db.peerState('b').pulledFeedId).toBe(b.db.feedId);

      // The cursor now has a feed id: the first pull names it, is refused, and goes again without it.
      await b.client.put({ key: 'from/b/2', value: 2 });
      db.put(fact({ key: 'from/a', value: 'a' }));
      log.length = 0;
      expect((await engine.syncAll())[0]).toMatchObject({ ok: true, error: null, pulled: 1, pushed: 1 });
      expect(pullsNamingFeed(log)).toEqual([400]);
      expect(db.get('from/b/2')?.value).toBe(2);
      expect((await b.client.find('from/a'))?.value).toBe('a');
      expect(warnings.filter((line) => line.includes('does not take feedId'))).toHaveLength(1);

      // Remembered: the next rounds do not name it, until 10 minutes have passed.
      log.length = 0;
      clock.ms += 9 * 60 * 1000;
      await b.client.put({ key: 'from/b/3', value: 3 });
      expect((await engine.syncAll())[0]).toMatchObject({ ok: true, error: null });
      expect(db.get('from/b/3')?.value).toBe(3);
      expect(pullsNamingFeed(log)).toEqual([]);

      log.length = 0;
      clock.ms += 60 * 1000;
      db.addPeer({ id: 'b', url: b.url }); // b is upgraded meanwhile
      await b.client.put({ key: 'from/b/4', value: 4 });
      expect((await engine.syncAll())[0]).toMatchObject({ ok: true, error: null });
      expect(db.get('from/b/4')?.value).toBe(4);
      expect(pullsNamingFeed(log)).toEqual([200]);
    } finally {
      await engine.stop();
      await older.close();
    }
  });
});
