import type { ServerResponse } from 'node:http';
import { expect, test } from 'vitest';
import { callRouteText } from '../../src/client/call-route.ts';
import {
  BusClient,
  busRoutes,
  callRoute,
  createHttpClient,
  FleetConnectionError,
  FleetHttpError,
  streamRoute,
} from '../../src/index.ts';
import { toyRoutes } from '../server/_toy.ts';
import { rejectionOf, started } from './_host.ts';

// A client's timeoutMs covers the whole answer, body included: a server that sends its headers and
// then stalls must not hold a call for ever. Event streams are the exception (idleTimeoutMs).

/** Sends the headers and the start of a JSON body, then nothing more. */
function stallAfterHeaders(status = 200) {
  return (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.write('{"recipients":[');
  };
}

test('an answer that stalls after its headers rejects with the same FleetConnectionError as a header timeout', {
  timeout: 10_000,
}, async () => {
  const { url } = await started(stallAfterHeaders());
  const error = await rejectionOf(new BusClient({ url, timeoutMs: 200, retry: 0 }).stats());
  expect(error).toBeInstanceOf(FleetConnectionError);
  expect((error as FleetConnectionError).message).toBe(`cannot reach ${url} (no answer within 200 ms)`);
});

test('a per-call timeoutMs also bounds the body, for a retried GET too', { timeout: 10_000 }, async () => {
  const { url } = await started(stallAfterHeaders());
  const http = createHttpClient({ baseUrl: url, retry: 2 });
  const error = await rejectionOf(callRoute(http, busRoutes.stats, {}, { timeoutMs: 200 }));
  expect(error).toBeInstanceOf(FleetConnectionError);
  expect((error as FleetConnectionError).reason).toBe('no answer within 200 ms');
});

test('callRouteText bounds the body it returns unparsed', { timeout: 10_000 }, async () => {
  const { url } = await started(stallAfterHeaders());
  const http = createHttpClient({ baseUrl: url, retry: 0, timeoutMs: 200 });
  const error = await rejectionOf(callRouteText(http, toyRoutes.slow, {}));
  expect(error).toBeInstanceOf(FleetConnectionError);
  expect((error as FleetConnectionError).reason).toBe('no answer within 200 ms');
});

test('an error answer whose body stalls still rejects, with its status', { timeout: 10_000 }, async () => {
  const { url } = await started(stallAfterHeaders(503));
  const error = await rejectionOf(new BusClient({ url, timeoutMs: 200, retry: 0 }).stats());
  expect(error).toBeInstanceOf(FleetHttpError);
  expect((error as FleetHttpError).status).toBe(503);
});

test('aborting a call while its body is read rejects with the abort reason', { timeout: 10_000 }, async () => {
  let answered!: () => void;
  const headersSent = new Promise<void>((resolve) => {
    answered = resolve;
  });
  const { url } = await started((res) => {
    stallAfterHeaders()(res);
    answered();
  });
  const controller = new AbortController();
  const pending = new BusClient({ url, timeoutMs: 0, retry: 0 }).stats({ signal: controller.signal });
  await headersSent;
  controller.abort(new Error('stop reading'));
  expect(await rejectionOf(pending)).toEqual(new Error('stop reading'));
});

test('an event stream is not cut at timeoutMs: only idleTimeoutMs ends it', { timeout: 10_000 }, async () => {
  // Two events, the second three timeouts after the headers; then the server ends the stream.
  const { url } = await started((res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"n":0}\n\n');
    setTimeout(() => res.end('data: {"n":1}\n\n'), 600).unref();
  });
  const http = createHttpClient({ baseUrl: url, retry: 0, timeoutMs: 200 });
  const seen: unknown[] = [];
  for await (const event of streamRoute(http, toyRoutes.stream, { query: { count: 2 } }, { idleTimeoutMs: 5_000 })) {
    seen.push(event);
  }
  expect(seen).toEqual([{ n: 0 }, { n: 1 }]);
});
