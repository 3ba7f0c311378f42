import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { PullWorker } from '../../src/knowledge/sync/page-puller.ts';
import { closeAfterTest, rejectionOf, started } from '../client/_host.ts';

// The pull worker thread reads a peer's answer through the same client as this thread: bounded by
// the peer's timeoutMs and by maxResponseBytes (64 MiB by default), whatever the peer sends.
// It runs the built script (dist/page-puller-worker.js), which the root `npm test` builds first.
const BUILT_WORKER = new URL('../../dist/page-puller-worker.js', import.meta.url);

function startWorker(): PullWorker {
  if (!existsSync(fileURLToPath(BUILT_WORKER))) {
    throw new Error('packages/sdk/dist/page-puller-worker.js is missing: run `npm run build` first');
  }
  const worker = new PullWorker(BUILT_WORKER);
  closeAfterTest(() => worker.close());
  return worker;
}

const input = { nodeId: 'puller', since: 0 };
const never = new AbortController().signal;

test('a peer streaming a page without end is cut at 64 MiB, and the connection closed', async () => {
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  const server = await started((res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"changes":["');
    // 80 MiB, then the end: without a limit the worker would read it all and refuse it as JSON.
    let sent = 0;
    const pump = () => {
      while (sent < 80 && !res.destroyed) {
        sent += 1;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end('"]}');
    };
    pump();
  });
  const puller = startWorker().pullerFor({ url: server.url, timeoutMs: 30_000 });
  const error = await rejectionOf(puller.pull(input, never));
  expect(error).toMatchObject({
    name: 'FleetConnectionError',
    reason: `answer larger than ${64 * 1024 * 1024} bytes (maxResponseBytes)`,
  });
  await server.closedByClient;
});

test('a peer trickling a byte now and then is given up at the timeout', { timeout: 15_000 }, async () => {
  const server = await started((res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
    const timer = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(timer));
  });
  const puller = startWorker().pullerFor({ url: server.url, timeoutMs: 300 });
  const error = await rejectionOf(puller.pull(input, never));
  expect(error).toMatchObject({ name: 'FleetConnectionError', reason: 'no answer within 300 ms' });
  await server.closedByClient;
});
