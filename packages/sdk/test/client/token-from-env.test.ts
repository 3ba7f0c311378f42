import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BusClient } from '../../src/index.ts';

// The README's snippet passes `token: process.env.FLEET_BUS_TOKEN` as it is: a `string | undefined`
// the options accept also under `exactOptionalPropertyTypes` (this file is type-checked with it).
// The stand-in server's answer is no health document; only the headers it saw count here.

const seen: Array<string | undefined> = [];
const server = createServer((req, res) => {
  seen.push(req.headers.authorization);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ status: 'ok' }));
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('a token read from an unset environment variable sends no Authorization; a set one sends it', async () => {
  const name = `FLEET_TOKEN_FROM_ENV_${process.pid}`;
  delete process.env[name];
  await new BusClient({ url, token: process.env[name] }).health().catch(() => undefined);
  process.env[name] = 'env-token';
  try {
    await new BusClient({ url, token: process.env[name] }).health().catch(() => undefined);
  } finally {
    delete process.env[name];
  }
  expect(seen).toEqual([undefined, 'Bearer env-token']);
});
