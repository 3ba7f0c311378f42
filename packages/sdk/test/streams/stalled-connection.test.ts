import { afterEach, expect, test } from 'vitest';
import { z } from 'zod';
import { defineRoute } from '../../src/contract/route.ts';
import { createFleetServer, type FleetServer, implement } from '../../src/server/index.ts';
import { openStalledReader } from './_stalled-reader.ts';

const blobs = defineRoute({
  method: 'GET',
  path: '/blobs',
  summary: 'Large items without end',
  response: z.object({ n: z.number(), blob: z.string() }),
  kind: 'sse',
});

let server: FleetServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

test('the server closes the connection of a client that stops reading an event stream, and the source ends', async () => {
  let sourceEnded = false;
  const blob = 'z'.repeat(256 * 1024);
  server = createFleetServer({
    service: 'stalled',
    version: '0.0.0',
    sseKeepAliveMs: 20,
    routes: [
      implement(blobs, async function* ({ signal }) {
        try {
          // Made on demand: only as fast as the stream writes them, until the socket's buffers are full.
          for (let n = 0; !signal.aborted; n++) yield { n, blob };
        } finally {
          sourceEnded = true;
        }
      }),
    ],
  });
  const { url } = await server.listen({ port: 0 });
  const client = openStalledReader(url, '/blobs');
  await client.closed;
  expect(client.isClosed()).toBe(true);
  expect(sourceEnded).toBe(true);
}, 15_000);
