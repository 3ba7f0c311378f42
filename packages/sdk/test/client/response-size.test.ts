import type { ServerResponse } from 'node:http';
import { expect, test } from 'vitest';
import { callRouteText } from '../../src/client/call-route.ts';
import { BusClient, createHttpClient, FleetConnectionError, FleetHttpError, KnowledgeClient } from '../../src/index.ts';
import { toyRoutes } from '../server/_toy.ts';
import { rejectionOf, started } from './_host.ts';

// A client reads at most maxResponseBytes of an answer: a peer (or any URL registered as one) that
// streams without end must not fill the node's memory.

const MiB = 1024 * 1024;

/** Answers with `status` and a JSON string of `bytes` bytes in 64 KiB writes, minding back-pressure. */
function streamOf(bytes: number, status = 200) {
  return (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let left = bytes - 2;
    res.write('"');
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end('"');
    };
    pump();
  };
}

test('an answer larger than maxResponseBytes fails with a FleetConnectionError naming the limit', async () => {
  const server = await started(streamOf(8 * MiB));
  const http = createHttpClient({ baseUrl: server.url, retry: 0, maxResponseBytes: MiB });
  const error = await rejectionOf(callRouteText(http, toyRoutes.version, {}));
  expect(error).toBeInstanceOf(FleetConnectionError);
  expect((error as FleetConnectionError).message).toBe(
    `cannot reach ${server.url} (answer larger than ${MiB} bytes (maxResponseBytes))`,
  );
  // The reading stopped and the connection was closed before the server was done.
  await server.closedByClient;
});

test('an answer of exactly maxResponseBytes is read whole', async () => {
  const server = await started(streamOf(MiB));
  const http = createHttpClient({ baseUrl: server.url, retry: 0, maxResponseBytes: MiB });
  const answer = await callRouteText(http, toyRoutes.version, {});
  expect(answer.text).toHaveLength(MiB);
});

test('a peer streaming a pull page without end is cut at the default 64 MiB', { timeout: 30_000 }, async () => {
  const server = await started(streamOf(2 ** 40));
  const client = new KnowledgeClient({ url: server.url, retry: 0 });
  const error = await rejectionOf(client.pullText({ nodeId: 'x', since: 0 }));
  expect(error).toBeInstanceOf(FleetConnectionError);
  expect((error as FleetConnectionError).reason).toBe(`answer larger than ${64 * MiB} bytes (maxResponseBytes)`);
  await server.closedByClient;
});

test('a content-length above maxResponseBytes fails before the body is read', async () => {
  const server = await started((res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * MiB) });
    res.write('"'); // and nothing more
  });
  const client = new BusClient({ url: server.url, retry: 0, timeoutMs: 0, maxResponseBytes: MiB });
  const error = await rejectionOf(client.stats());
  expect((error as FleetConnectionError).reason).toBe(`answer larger than ${MiB} bytes (maxResponseBytes)`);
  await server.closedByClient;
});

test('an error answer is read up to 1 MiB; past it the error keeps its status and says so', async () => {
  const server = await started(streamOf(8 * MiB, 502));
  const client = new BusClient({ url: server.url, retry: 0 });
  const error = await rejectionOf(client.stats());
  expect(error).toBeInstanceOf(FleetHttpError);
  expect((error as FleetHttpError).status).toBe(502);
  expect((error as FleetHttpError).message).toBe(
    `GET ${server.url}/queue failed with HTTP 502 Bad Gateway: a body larger than ${MiB} bytes, not read`,
  );
  await server.closedByClient;
});

test('maxResponseBytes must be a positive number', () => {
  expect(() => createHttpClient({ baseUrl: 'http://127.0.0.1:1', maxResponseBytes: 0 })).toThrow(RangeError);
});
