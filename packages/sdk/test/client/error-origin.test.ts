import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BusClient } from '../../src/bus/bus-client.ts';
import { FleetHttpError } from '../../src/client/errors.ts';
import { fromThreadError, toThreadError } from '../../src/knowledge/sync/thread-errors.ts';

// Whether an error answer's message is the server's own (a Fleet envelope) or text of whatever
// answered: a sync reports only the former (a peer URL may lead to any service).
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/envelope')) {
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'conflict', message: 'the server says so' } }));
    } else {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('INTERNAL-SECRET: db_password=hunter2');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function errorOf(base: string): Promise<FleetHttpError> {
  const error = await new BusClient({ url: base, retry: 0 }).stats().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(FleetHttpError);
  return error as FleetHttpError;
}

test('an envelope answer is fromEnvelope; any other is not, also after crossing a worker thread', async () => {
  const envelope = await errorOf(`${url}/envelope`);
  expect(envelope).toMatchObject({ code: 'conflict', message: 'the server says so', fromEnvelope: true });
  const foreign = await errorOf(`${url}/other`);
  expect(foreign).toMatchObject({ status: 403, fromEnvelope: false });
  for (const error of [envelope, foreign]) {
    const rebuilt = fromThreadError(structuredClone(toThreadError(error)));
    expect(rebuilt).toMatchObject({ fromEnvelope: error.fromEnvelope, message: error.message });
  }
});
