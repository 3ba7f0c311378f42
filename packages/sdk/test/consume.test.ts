import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type BusClient,
  type ConsumeErrorContext,
  consume,
  type Delivery,
  FleetConnectionError,
  FleetHttpError,
} from '../src/index.ts';
import { deferred, rejectionOf, startTestBus, type TestBus } from './_bus-server.ts';

let bus: TestBus;
let client: BusClient;
let agents = 0;
const agent = (role: string) => `${role}-${++agents}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  bus = await startTestBus();
  client = bus.client();
});
afterAll(() => bus.close());

async function queueOf(name: string) {
  const stats = await client.stats();
  return stats.recipients.find((r) => r.agent === name) ?? { ready: 0, inFlight: 0, delayed: 0, dead: 0 };
}

describe('consume', () => {
  test('acks each message its handler resolves on', async () => {
    const worker = agent('worker');
    await client.sendBatch([1, 2, 3].map((n) => ({ from: 'p', to: worker, payload: n })));
    const controller = new AbortController();
    const handled: unknown[] = [];
    await client.consume(
      worker,
      (message) => {
        handled.push(message.payload);
        if (handled.length === 3) controller.abort();
      },
      { signal: controller.signal },
    );
    expect(handled).toEqual([1, 2, 3]);
    expect(await queueOf(worker)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0, dead: 0 });
    const acked = await client.audit({ agent: worker, event: 'acked' });
    expect(acked.count).toBe(3);
  });

  test('without long polling, an idle worker pauses between empty receives instead of asking again at once', async () => {
    const worker = agent('idle');
    const receives = async () => {
      const text = await (await fetch(`${bus.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith('fleet_http_requests_total{method="POST",route="/receive",status="200"}'));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const before = await receives();
    const controller = new AbortController();
    const handled: unknown[] = [];
    const loop = client.consume(worker, (message) => void handled.push(message.payload), {
      signal: controller.signal,
      waitSeconds: 0,
      idleDelayMs: 200,
    });
    await sleep(500);
    // One receive, then one every 200 ms: a handful, not hundreds.
    expect((await receives()) - before).toBeLessThanOrEqual(5);
    await client.send({ from: 'p', to: worker, payload: 'after the pause' });
    await expect.poll(() => handled, { timeout: 5000 }).toEqual(['after the pause']);
    controller.abort();
    await loop;
  });

  test('nacks a message its handler throws on: it is redelivered with attempts growing and the error as reason', async () => {
    const worker = agent('flaky');
    const [sent] = (await client.send({ from: 'p', to: worker })).messages;
    const controller = new AbortController();
    const attempts: number[] = [];
    await consume(
      client,
      worker,
      (message, delivery: Delivery) => {
        expect(delivery.message).toBe(message);
        attempts.push(message.attempts);
        if (message.attempts < 3) throw new Error(`boom ${message.attempts}`);
        controller.abort();
      },
      { signal: controller.signal, waitSeconds: 1 },
    );
    expect(attempts).toEqual([1, 2, 3]);
    const nacks = await client.audit({ messageId: sent!.id, event: 'nacked' });
    expect(nacks.events.map((e) => e.details?.reason)).toEqual(['boom 1', 'boom 2']);
    expect(await queueOf(worker)).toMatchObject({ ready: 0, inFlight: 0, delayed: 0 });
  });

  test('a reason cut through a surrogate pair (or holding a lone one) is still nacked, with U+FFFD in its place', async () => {
    const worker = agent('emoji');
    const [sent] = (await client.send({ from: 'p', to: worker })).messages;
    const controller = new AbortController();
    const errors: unknown[] = [];
    const attempts: number[] = [];
    await consume(
      client,
      worker,
      (message) => {
        attempts.push(message.attempts);
        // 1,000 UTF-16 units is the reason's limit: the cut falls inside the emoji's pair.
        if (message.attempts === 1) throw new Error(`${'x'.repeat(999)}\u{1F600} failed`);
        if (message.attempts === 2) throw new Error('lone \ud800 surrogate');
        controller.abort();
      },
      { signal: controller.signal, waitSeconds: 1, onError: (error) => errors.push(error) },
    );
    // Before, the server refused both nacks (400): the message waited out its lease instead.
    expect(errors).toEqual([]);
    expect(attempts).toEqual([1, 2, 3]);
    const nacks = await client.audit({ messageId: sent!.id, event: 'nacked' });
    expect(nacks.events.map((e) => e.details?.reason)).toEqual([`${'x'.repeat(999)}\ufffd`, 'lone \ufffd surrogate']);
  });

  test('never runs more handlers at once than its concurrency, and uses all of it', async () => {
    const worker = agent('parallel');
    await client.sendBatch(Array.from({ length: 7 }, (_, n) => ({ from: 'p', to: worker, payload: n })));
    const controller = new AbortController();
    let running = 0;
    let most = 0;
    const handled: unknown[] = [];
    await client.consume(
      worker,
      async (message) => {
        running += 1;
        most = Math.max(most, running);
        await sleep(30);
        running -= 1;
        handled.push(message.payload);
        if (handled.length === 7) controller.abort();
      },
      { signal: controller.signal, concurrency: 3 },
    );
    expect(most).toBe(3);
    expect(handled.toSorted()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  test('on abort it stops receiving, lets the running handler finish and ack, then resolves', async () => {
    const worker = agent('stopping');
    await client.sendBatch([
      { from: 'p', to: worker, type: 'first' },
      { from: 'p', to: worker, type: 'second' },
    ]);
    const controller = new AbortController();
    const started = deferred();
    const release = deferred();
    const handled: string[] = [];
    let resolved = false;
    const running = client
      .consume(
        worker,
        async (message) => {
          handled.push(message.type);
          started.resolve();
          await release.promise;
        },
        { signal: controller.signal },
      )
      .then(() => {
        resolved = true;
      });
    await started.promise;
    controller.abort();
    await sleep(50);
    expect(resolved).toBe(false);
    release.resolve();
    await running;
    expect(handled).toEqual(['first']);
    expect(await queueOf(worker)).toMatchObject({ ready: 1, inFlight: 0 });
  });

  // Without cancelling the pending receive, stopping would take the whole 20 s wait: the generous
  // 10 s test timeout is what fails then (the expected time is a few milliseconds).
  test('an abort while waiting for messages cancels the long poll', { timeout: 10_000 }, async () => {
    const controller = new AbortController();
    const handled: unknown[] = [];
    const running = client.consume(agent('idle'), (message) => handled.push(message), {
      signal: controller.signal,
      waitSeconds: 20,
    });
    await sleep(50);
    controller.abort();
    await running;
    expect(handled).toEqual([]);
  });

  test('keeps extending the lease while a handler runs longer than the lease', async () => {
    const worker = agent('slow');
    const [sent] = (await client.send({ from: 'p', to: worker })).messages;
    const controller = new AbortController();
    const errors: unknown[] = [];
    await client.consume(
      worker,
      async () => {
        await sleep(4500);
        controller.abort();
      },
      { signal: controller.signal, leaseSeconds: 2, onError: (error) => errors.push(error) },
    );
    expect(errors).toEqual([]);
    const trail = await client.audit({ messageId: sent!.id });
    expect(trail.events.map((e) => e.event)).toEqual(['sent', 'delivered', 'acked']);
  });

  test('reports a transient error to onError, backs off, and carries on once the server is back', async () => {
    const first = await startTestBus();
    const { port, db } = first;
    await first.close();
    const worker = agent('patient');
    const controller = new AbortController();
    const reported: Array<[unknown, ConsumeErrorContext]> = [];
    const reportedOnce = deferred();
    const handled: unknown[] = [];
    const running = consume(
      first.client(),
      worker,
      (message) => {
        handled.push(message.payload);
        controller.abort();
      },
      {
        signal: controller.signal,
        retryDelayMs: 50,
        waitSeconds: 1,
        onError: (error, context) => {
          reported.push([error, context]);
          reportedOnce.resolve();
        },
      },
    );
    await reportedOnce.promise;
    const second = await startTestBus({ port, db });
    try {
      await second.client().send({ from: 'p', to: worker, payload: 'back' });
      await running;
    } finally {
      await second.close();
    }
    expect(handled).toEqual(['back']);
    expect(reported[0]?.[0]).toBeInstanceOf(FleetConnectionError);
    expect(reported[0]?.[1]).toEqual({ operation: 'receive' });
  });

  test('a receive the server refuses (bad token) rejects instead of retrying forever', async () => {
    const secured = await startTestBus({ tokens: ['s3cret'] });
    try {
      const error = await rejectionOf(secured.client().consume('worker', () => undefined));
      expect(error).toBeInstanceOf(FleetHttpError);
      expect(error).toMatchObject({ code: 'unauthorized' });
    } finally {
      await secured.close();
    }
  });

  test('an extension that failed once is tried again within the lease: the message is not redelivered meanwhile', async () => {
    const worker = agent('unlucky');
    const [sent] = (await client.send({ from: 'p', to: worker })).messages;
    // The real client, but its first extension fails as a dropped connection would.
    let extensions = 0;
    const flaky = {
      receive: client.receive.bind(client),
      ack: client.ack.bind(client),
      nack: client.nack.bind(client),
      extend: (...args: Parameters<BusClient['extend']>) => {
        extensions += 1;
        if (extensions === 1) return Promise.reject(new FleetConnectionError(bus.url, 'connection reset'));
        return client.extend(...args);
      },
    };
    const controller = new AbortController();
    const reported: string[] = [];
    // Another worker of the same agent, asking all the time once the first has the message.
    const other: Delivery[] = [];
    const compete = async () => {
      while (!controller.signal.aborted) {
        other.push(...(await client.receive({ agent: worker, leaseSeconds: 30, waitSeconds: 0 })).deliveries);
        await sleep(100);
      }
    };
    let competitor: Promise<void> | undefined;
    await consume(
      flaky,
      worker,
      async () => {
        competitor = compete();
        await sleep(4000);
        controller.abort();
      },
      { signal: controller.signal, leaseSeconds: 2, onError: (_error, context) => reported.push(context.operation) },
    );
    await competitor;
    expect(reported).toEqual(['extend']);
    expect(other).toEqual([]);
    const trail = await client.audit({ messageId: sent!.id });
    expect(trail.events.map((e) => e.event)).toEqual(['sent', 'delivered', 'acked']);
  });

  test('an onError that rejects (an async reporter whose sink is down) does not end the loop or the process', async () => {
    const worker = agent('reported');
    const controller = new AbortController();
    const reports: string[] = [];
    const handled: unknown[] = [];
    let receives = 0;
    const failingOnce = {
      ...client,
      receive: (...args: Parameters<BusClient['receive']>) => {
        receives += 1;
        if (receives === 1) return Promise.reject(new FleetConnectionError(bus.url, 'connection reset'));
        return client.receive(...args);
      },
      ack: client.ack.bind(client),
      nack: client.nack.bind(client),
      extend: client.extend.bind(client),
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await client.send({ from: 'p', to: worker, payload: 'after the report' });
      await consume(
        failingOnce,
        worker,
        (message) => {
          handled.push(message.payload);
          controller.abort();
        },
        {
          signal: controller.signal,
          retryDelayMs: 10,
          onError: async (_error, context) => {
            reports.push(context.operation);
            throw new Error('log sink down');
          },
        },
      );
      await sleep(50);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(reports).toEqual(['receive']);
    expect(handled).toEqual(['after the report']);
    expect(unhandled).toEqual([]);
  });

  test('a batch whose answer is too large for the client to read is handled one message at a time, not dead-lettered', async () => {
    const worker = agent('bulky');
    const payloads = ['a', 'b', 'c'].map((c) => c.repeat(9000));
    for (const payload of payloads) await client.send({ from: 'p', to: worker, payload });
    // Three of them at once pass this client's limit; one at a time does not.
    const small = bus.client({ maxResponseBytes: 20_000 });
    const controller = new AbortController();
    const handled: unknown[] = [];
    const reported: unknown[] = [];
    const loop = consume(
      small,
      worker,
      (message) => {
        handled.push(message.payload);
        if (handled.length === 3) controller.abort();
      },
      { signal: controller.signal, concurrency: 3, leaseSeconds: 1, waitSeconds: 1, onError: (e) => reported.push(e) },
    );
    await expect.poll(async () => handled.length + (await queueOf(worker)).dead, { timeout: 15_000 }).toBe(3);
    controller.abort();
    await loop;
    expect([...handled].sort()).toEqual(payloads);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ reason: expect.stringContaining('maxResponseBytes') });
  });

  test('rejects a concurrency below 1', async () => {
    await expect(client.consume('worker', () => undefined, { concurrency: 0 })).rejects.toThrow(RangeError);
  });

  test('rejects a retryDelayMs of 0 or less, which would retry a failing receive at once for ever', async () => {
    for (const retryDelayMs of [0, -1, Number.NaN]) {
      await expect(client.consume('worker', () => undefined, { retryDelayMs })).rejects.toThrow(
        /retryDelayMs must be > 0/,
      );
    }
  });
});
