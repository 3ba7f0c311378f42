import type { ServerResponse } from 'node:http';
import { expect, test } from 'vitest';
import {
  BusClient,
  createHttpClient,
  FleetConnectionError,
  FleetHttpError,
  KnowledgeClient,
  streamRoute,
} from '../../src/index.ts';
import { toyRoutes } from '../server/_toy.ts';
import { collectingGarbage } from './_gc.ts';
import { rejectionOf, started } from './_host.ts';

// undici's fetch loses the link from a Request to the signal it follows when the garbage collector
// runs (nodejs/undici#4068, nodejs/node#55428): a timeout or abort that only reached fetch through
// that link was lost once the headers had arrived. The client now reads bodies itself and cancels
// the read at the deadline, whatever the collector did.

/** Sends the headers and the start of a body, then a byte now and then, for ever (a trickling peer). */
function trickle(status = 200) {
  return (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.write('{');
    const timer = setInterval(() => res.write(' '), 50);
    res.on('close', () => clearInterval(timer));
  };
}

test('a call whose body trickles gives up at its timeout though the garbage collector ran', {
  timeout: 15_000,
}, async () => {
  const server = await started(trickle());
  const client = new KnowledgeClient({ url: server.url, timeoutMs: 300, retry: 0 });
  const error = await collectingGarbage(rejectionOf(client.pullText({ nodeId: 'x', since: 0 })));
  expect(error).toBeInstanceOf(FleetConnectionError);
  expect((error as FleetConnectionError).message).toBe(`cannot reach ${server.url} (no answer within 300 ms)`);
  // The connection is closed, not left to the server.
  await server.closedByClient;
});

test('an error answer whose body trickles still rejects with its status though the collector ran', {
  timeout: 15_000,
}, async () => {
  const server = await started(trickle(503));
  const error = await collectingGarbage(
    rejectionOf(new BusClient({ url: server.url, timeoutMs: 300, retry: 0 }).stats()),
  );
  expect(error).toBeInstanceOf(FleetHttpError);
  expect((error as FleetHttpError).status).toBe(503);
  await server.closedByClient;
});

test('a server that never answers is given up at the timeout though the collector ran', {
  timeout: 15_000,
}, async () => {
  const server = await started(() => undefined);
  const error = await collectingGarbage(
    rejectionOf(new BusClient({ url: server.url, timeoutMs: 300, retry: 0 }).stats()),
  );
  expect(error).toBeInstanceOf(FleetConnectionError);
  expect((error as FleetConnectionError).reason).toBe('no answer within 300 ms');
  await server.closedByClient;
});

test('aborting a call while its body trickles rejects with the abort reason though the collector ran', {
  timeout: 15_000,
}, async () => {
  let answered!: () => void;
  const headersSent = new Promise<void>((resolve) => {
    answered = resolve;
  });
  const server = await started((res) => {
    trickle()(res);
    answered();
  });
  const controller = new AbortController();
  const pending = rejectionOf(
    new BusClient({ url: server.url, timeoutMs: 0, retry: 0 }).stats({ signal: controller.signal }),
  );
  const error = await collectingGarbage(
    (async () => {
      await headersSent;
      await new Promise((resolve) => setTimeout(resolve, 200));
      controller.abort(new Error('stop reading'));
      return pending;
    })(),
  );
  expect(error).toEqual(new Error('stop reading'));
  await server.closedByClient;
});

test('aborting an open event stream ends it though the collector ran', { timeout: 15_000 }, async () => {
  const server = await started((res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"n":0}\n\n');
  });
  const controller = new AbortController();
  const http = createHttpClient({ baseUrl: server.url, retry: 0 });
  const seen: unknown[] = [];
  await collectingGarbage(
    (async () => {
      const options = { signal: controller.signal, idleTimeoutMs: 0 };
      for await (const event of streamRoute(http, toyRoutes.stream, { query: { count: 1 } }, options)) {
        seen.push(event);
        setTimeout(() => controller.abort(), 200);
      }
    })(),
  );
  expect(seen).toEqual([{ n: 0 }]);
  await server.closedByClient;
});

test('a custom fetch that drops the signal cannot hold a call past its timeout', { timeout: 15_000 }, async () => {
  const server = await started(() => undefined);
  // Sends the request without any signal: no abort can reach it.
  const deaf = (input: Request | URL | string) =>
    globalThis.fetch(String(input instanceof Request ? input.url : input));
  const error = await rejectionOf(new BusClient({ url: server.url, timeoutMs: 300, retry: 0, fetch: deaf }).stats());
  expect(error).toBeInstanceOf(FleetConnectionError);
  expect((error as FleetConnectionError).reason).toBe('no answer within 300 ms');
});

test('fetch is handed the call signal directly, not only through its Request', { timeout: 15_000 }, async () => {
  const server = await started(() => undefined);
  const signals: Array<AbortSignal | null | undefined> = [];
  const watching = (input: Request | URL | string, init?: RequestInit) => {
    signals.push(init?.signal);
    return globalThis.fetch(input, init);
  };
  await rejectionOf(new BusClient({ url: server.url, timeoutMs: 300, retry: 0, fetch: watching }).stats());
  expect(signals).toHaveLength(1);
  expect(signals[0]?.aborted).toBe(true);
  await server.closedByClient;
});
