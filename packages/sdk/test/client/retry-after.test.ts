import { afterEach, describe, expect, test } from 'vitest';
import { BusClient, FleetHttpError } from '../../src/index.ts';
import { host, type TestHost } from './_host.ts';

// A GET answered 503 or 429 with `Retry-After` is retried after that wait (ky honours it) when the
// wait ends before the call's deadline; a wait past the deadline throws the answer at once.

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

const ENVELOPE = JSON.stringify({
  error: { code: 'unavailable', message: 'database away', details: { backend: 'postgres' } },
});
const QUEUE = JSON.stringify({ recipients: [], count: 0, totals: { ready: 0, inFlight: 0, delayed: 0, dead: 0 } });

describe('Retry-After', () => {
  test("a wait past the deadline throws the server's answer at once, with its code and details", async () => {
    let asked = 0;
    const server = await host((res) => {
      asked += 1;
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '120' }).end(ENVELOPE);
    });
    hosts.push(server);
    const client = new BusClient({ url: server.url, retry: 2, timeoutMs: 3000 });
    const error = await client.stats().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetHttpError);
    expect(error).toMatchObject({ status: 503, code: 'unavailable', details: { backend: 'postgres' } });
    expect(asked).toBe(1);
  });

  test('a wait within the deadline is waited out, and the call retried', async () => {
    let asked = 0;
    const server = await host((res) => {
      asked += 1;
      if (asked === 1) res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(ENVELOPE);
      else res.writeHead(200, { 'content-type': 'application/json' }).end(QUEUE);
    });
    hosts.push(server);
    const client = new BusClient({ url: server.url, retry: 2, timeoutMs: 10_000 });
    expect((await client.stats()).recipients).toEqual([]);
    expect(asked).toBe(2);
  });
});
