import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { closedPort } from '@fleet/test-utils/closed-port';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { PullWorker, pullWorkerAvailable } from '../../src/knowledge/sync/page-puller.ts';
import { decodePulledPage, type PulledPage } from '../../src/knowledge/sync/pulled-page.ts';
import { startTestKnowledge, type TestKnowledge } from '../_knowledge-server.ts';

// The worker thread runs the built script (dist/page-puller-worker.js), which the root `npm test`
// builds first; the main thread's side is the source. From the sources, pulls run in-thread.
const BUILT_WORKER = new URL('../../dist/page-puller-worker.js', import.meta.url);

let node: TestKnowledge;
/** A peer of another version: answers every request with the body set here (or never). */
let odd: Server;
let oddBody: string | undefined;
let oddUrl: string;
const workers: PullWorker[] = [];

beforeAll(async () => {
  node = await startTestKnowledge({ tokens: ['secret'] });
  const client = node.client({ token: 'secret' });
  for (let start = 0; start < 2000; start += 1000) {
    await client.putBatch(
      Array.from({ length: 1000 }, (_, i) => ({
        key: `k/${String(start + i).padStart(5, '0')}`,
        value: { n: start + i, text: 'a value of a realistic size' },
        tags: ['t'],
      })),
    );
  }
  odd = createServer((request, response) => {
    request.resume();
    if (oddBody === undefined) return; // never answers
    response.writeHead(200, { 'content-type': 'application/json' }).end(oddBody);
  });
  await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
  oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
});
afterAll(async () => {
  odd.closeAllConnections();
  await new Promise((resolve) => odd.close(resolve));
  await node.close();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.close()));
});

async function startWorker(): Promise<PullWorker> {
  if (!existsSync(fileURLToPath(BUILT_WORKER))) {
    throw new Error('packages/sdk/dist/page-puller-worker.js is missing: run `npm run build` first');
  }
  const worker = new PullWorker(BUILT_WORKER);
  workers.push(worker);
  return worker;
}

const input = { nodeId: 'puller', since: 0, limit: 5000 };
const never = new AbortController().signal;

function summary(page: PulledPage) {
  const { checked, ...fields } = page;
  return { fields, items: checked.items, newest: checked.newest };
}

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('pull worker', () => {
  test('from the TypeScript sources there is no worker script', () => {
    expect(pullWorkerAvailable()).toBe(false);
  });

  test('pulls and checks a page in its thread, with what decoding in this thread gives', async () => {
    const worker = await startWorker();
    const puller = worker.pullerFor({ url: node.url, token: 'secret', timeoutMs: 10_000 });
    const [first, second] = await Promise.all([puller.pull(input, never), puller.pull(input, never)]);
    const expected = summary(decodePulledPage(await node.client({ token: 'secret' }).pullText(input)));
    expect(expected.items).toHaveLength(2000);
    expect(summary(first!)).toEqual(expected);
    expect(summary(second!)).toEqual(expected);
  });

  test('pages asked for one after another match the peer', async () => {
    const worker = await startWorker();
    const puller = worker.pullerFor({ url: node.url, token: 'secret', timeoutMs: 10_000 });
    const direct = node.client({ token: 'secret' });
    const snapshot = { nodeId: 'pager', since: 0, limit: 600 };
    let afterKey: string | null = null;
    const keys: string[] = [];
    for (;;) {
      const page = await puller.pull({ ...snapshot, afterKey }, never);
      const expected = decodePulledPage(await direct.pullText({ ...snapshot, afterKey }));
      expect(summary(page)).toEqual(summary(expected));
      keys.push(...page.checked.items.map((item) => item.key));
      if (!page.hasMore) break;
      afterKey = page.nextKey ?? null;
    }
    expect(keys).toHaveLength(2000);
    const jump = await puller.pull({ ...snapshot, afterKey: 'k/01000' }, never);
    expect(jump.checked.items[0]?.key).toBe('k/01001');
    const feed = await puller.pull({ nodeId: 'pager', since: 0, limit: 700 }, never);
    const next = await puller.pull({ nodeId: 'pager', since: feed.nextSince, limit: 700, acknowledged: 0 }, never);
    expect(next.checked.items[0]?.key).toBe('k/00700');
  });

  test('errors come back as the classes the client throws', async () => {
    const worker = await startWorker();
    const unauthorized = await failure(worker.pullerFor({ url: node.url, timeoutMs: 10_000 }).pull(input, never));
    expect(unauthorized).toMatchObject({ name: 'FleetHttpError', code: 'unauthorized', status: 401 });
    const beyond = worker.pullerFor({ url: node.url, token: 'secret', timeoutMs: 10_000 });
    const resync = await failure(beyond.pull({ ...input, since: 999_999 }, never));
    expect(resync).toMatchObject({ name: 'FleetHttpError', code: 'resync_required', status: 410 });
    expect((resync as { details: unknown }).details).toMatchObject({ since: 999_999 });
    const port = await closedPort();
    const down = await failure(
      worker.pullerFor({ url: `http://127.0.0.1:${port}`, timeoutMs: 10_000 }).pull(input, never),
    );
    expect(down).toMatchObject({ name: 'FleetConnectionError', code: 'unavailable', url: `http://127.0.0.1:${port}` });
  });

  test('a page that breaks the contract or the store rules is refused as in this thread', async () => {
    const worker = await startWorker();
    const valid = await node.client({ token: 'secret' }).pullText(input);
    const puller = worker.pullerFor({ url: oddUrl, timeoutMs: 10_000 });
    oddBody = valid.text.replace(`"nodeId":"${node.nodeId}"`, '"nodeId":7');
    const contract = await failure(puller.pull(input, never));
    expect(contract).toMatchObject({
      name: 'ResponseValidationError',
      status: 200,
      request: `POST ${oddUrl}/sync/pull`,
    });
    expect((contract as Error).message).toMatch(/nodeId/);
    // 33 tags pass the ChangePage schema but not the store's limit of 32.
    const tags = JSON.stringify(Array.from({ length: 33 }, (_, i) => `tag${i}`));
    oddBody = valid.text.replaceAll('"tags":["t"]', `"tags":${tags}`);
    const store = await failure(puller.pull(input, never));
    expect(store).toMatchObject({ name: 'FleetError', code: 'validation_failed' });
    expect((store as Error).message).toMatch(/changes\.0\.tags/);
    expect(() => decodePulledPage({ ...valid, text: oddBody! })).toThrow(/changes\.0\.tags/);
    // In this thread, the refusal keeps its cause (the schema's error; a body that is not JSON has
    // none, the parser's message quoting the body as it is).
    let misshapen: unknown;
    try {
      decodePulledPage({ ...valid, text: '{"changes": 5}' });
    } catch (error) {
      misshapen = error;
    }
    expect(misshapen).toMatchObject({ name: 'ResponseValidationError', cause: { name: 'ZodError' } });
  });

  test('an abort rejects at once with its reason; closing fails what is pending', async () => {
    const worker = await startWorker();
    const puller = worker.pullerFor({ url: oddUrl, timeoutMs: 60_000 });
    oddBody = undefined;
    const controller = new AbortController();
    const aborted = failure(puller.pull(input, controller.signal));
    controller.abort(new Error('stop now'));
    expect(await aborted).toMatchObject({ message: 'stop now' });
    const pending = failure(puller.pull(input, never));
    await worker.close();
    expect(await pending).toMatchObject({ message: expect.stringMatching(/closed/) });
  });
});
