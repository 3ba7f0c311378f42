import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { BusClient } from '../src/index.ts';
import { startTestBus, type TestBus } from './_bus-server.ts';
import { type HoldingProxy, holdingProxy } from './_holding-proxy.ts';

// A receive aborted after the server leased its messages and its answer began to arrive (the
// status and headers are in, the body is still coming) reads the answer to its end and gives the
// messages back (a nack without delay) before it throws the abort: they are redelivered at once,
// instead of staying hidden until their lease runs out.

let bus: TestBus;
let client: BusClient;
let agents = 0;
const agent = (role: string) => `${role}-${++agents}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const proxies: HoldingProxy[] = [];

beforeAll(async () => {
  bus = await startTestBus();
  client = bus.client();
});
afterAll(() => bus.close());
afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.close();
});

async function queueOf(name: string) {
  const stats = await client.stats();
  return stats.recipients.find((r) => r.agent === name) ?? { ready: 0, inFlight: 0, delayed: 0, dead: 0 };
}

async function proxied(hold: 'body' | 'all') {
  const proxy = await holdingProxy(bus.url, '/receive', hold);
  proxies.push(proxy);
  return { proxy, client: bus.client({ url: proxy.url }) };
}

describe('receive aborted while its answer arrives', () => {
  test('BusClient.receive gives back what it leased and throws the abort reason', async () => {
    const worker = agent('receiver');
    const { proxy, client: slow } = await proxied('body');
    const controller = new AbortController();
    const pending = slow.receive({ agent: worker, waitSeconds: 5, leaseSeconds: 60 }, { signal: controller.signal });
    const outcome = pending.catch((error: unknown) => error);
    await client.send({ from: 'p', to: worker });
    await proxy.answered;
    // The status and headers, sent on at once, reach the client meanwhile (loopback: a millisecond).
    await sleep(200);
    const reason = new Error('stop');
    controller.abort(reason);
    proxy.release();
    expect(await outcome).toBe(reason);
    expect(await queueOf(worker)).toMatchObject({ ready: 1, inFlight: 0, delayed: 0 });
  });

  test('a consumer stopped then does not run the handler and leaves the message ready for the next', async () => {
    const worker = agent('consumer');
    const { proxy, client: slow } = await proxied('body');
    const controller = new AbortController();
    const handled: unknown[] = [];
    const loop = slow.consume(worker, (message) => handled.push(message.id), {
      signal: controller.signal,
      leaseSeconds: 60,
      waitSeconds: 5,
    });
    const [sent] = (await client.send({ from: 'p', to: worker })).messages;
    await proxy.answered;
    // The status and headers, sent on at once, reach the client meanwhile (loopback: a millisecond).
    await sleep(200);
    controller.abort();
    proxy.release();
    await loop;
    expect(handled).toEqual([]);
    expect(await queueOf(worker)).toMatchObject({ ready: 1, inFlight: 0, delayed: 0 });
    const trail = await client.audit({ messageId: sent!.id });
    expect(trail.events.map((e) => e.event)).toEqual(['sent', 'delivered', 'nacked']);
  });

  test('an abort with the body held past the grace still ends the receive, within that grace', {
    timeout: 15_000,
  }, async () => {
    const worker = agent('stalled');
    const { proxy, client: slow } = await proxied('body');
    const controller = new AbortController();
    const pending = slow.receive({ agent: worker, waitSeconds: 5 }, { signal: controller.signal });
    const outcome = pending.catch((error: unknown) => error);
    await client.send({ from: 'p', to: worker });
    await proxy.answered;
    // The status and headers, sent on at once, reach the client meanwhile (loopback: a millisecond).
    await sleep(200);
    const reason = new Error('stop');
    const stoppedAt = Date.now();
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(Date.now() - stoppedAt).toBeLessThan(7000);
  });
});
