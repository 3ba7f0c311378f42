import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import {
  type BusClient,
  busRoutes,
  callRoute,
  createHttpClient,
  defineRoute,
  FleetConnectionError,
  FleetError,
  FleetHttpError,
  isFleetError,
  isFleetHttpError,
  type Message,
  ResponseValidationError,
} from '../src/index.ts';
import { deferred, rejectionOf, startTestBus, type TestBus } from './_bus-server.ts';

let bus: TestBus;
let client: BusClient;
let agents = 0;
/** A fresh agent name, so tests sharing the server never see each other's messages. */
const agent = (role: string) => `${role}-${++agents}`;

beforeAll(async () => {
  bus = await startTestBus();
  client = bus.client();
});
afterAll(() => bus.close());

describe('BusClient: sending and receiving', () => {
  test('send stores one copy for the recipient and returns it with defaults applied', async () => {
    const to = agent('worker');
    const result = await client.send({ from: 'planner', to, payload: { task: 1 } });
    expect(result).toMatchObject({ count: 1, duplicate: false });
    expect(result.messages[0]).toMatchObject({
      from: 'planner',
      to,
      type: 'message',
      payload: { task: 1 },
      attempts: 0,
    });
  });

  test('send with a repeated idempotency key is a duplicate that stores nothing', async () => {
    const to = agent('worker');
    const first = await client.send({ from: 'planner', to, idempotencyKey: 'k1' });
    const again = await client.send({ from: 'planner', to, idempotencyKey: 'k1' });
    expect(again.duplicate).toBe(true);
    expect(again.messages.map((m) => m.id)).toEqual(first.messages.map((m) => m.id));
    expect((await client.poll(to, 10)).count).toBe(1);
  });

  test('sendBatch stores every message of the batch', async () => {
    const a = agent('a');
    const b = agent('b');
    const result = await client.sendBatch([
      { from: 'planner', to: a, type: 'one' },
      { from: 'planner', to: b, type: 'two' },
    ]);
    expect(result.count).toBe(2);
    expect((await client.poll(a)).messages.map((m) => m.type)).toEqual(['one']);
    expect((await client.poll(b)).messages.map((m) => m.type)).toEqual(['two']);
  });

  test('poll receives and removes messages, highest priority first', async () => {
    const to = agent('poller');
    await client.send({ from: 'p', to, type: 'low' });
    await client.send({ from: 'p', to, type: 'high', priority: 5 });
    const polled = await client.poll(to, 10);
    expect(polled.messages.map((m) => m.type)).toEqual(['high', 'low']);
    expect(polled.messages.every((m) => m.attempts === 1)).toBe(true);
    expect((await client.poll(to, 10)).count).toBe(0);
  });

  test('receive leases a message and ack (one receipt or a list) removes it', async () => {
    const to = agent('leaser');
    await client.sendBatch([
      { from: 'p', to, type: 'first' },
      { from: 'p', to, type: 'second' },
    ]);
    const one = await client.receive({ agent: to });
    expect(one.deliveries).toHaveLength(1);
    expect(one.deliveries[0]?.message).toMatchObject({ type: 'first', attempts: 1 });
    expect(await client.ack(one.deliveries[0]!.receipt)).toEqual({ acked: 1 });
    const rest = await client.receive({ agent: to, limit: 10 });
    expect(await client.ack(rest.deliveries.map((d) => d.receipt))).toEqual({ acked: 1 });
    const stats = await client.stats();
    expect(stats.recipients.find((r) => r.agent === to)).toBeUndefined();
  });

  test('nack with no delay makes the message deliverable again with its attempts counted', async () => {
    const to = agent('nacker');
    await client.send({ from: 'p', to });
    const first = (await client.receive({ agent: to })).deliveries[0]!;
    const nacked = await client.nack({ receipt: first.receipt, delaySeconds: 0, reason: 'try again' });
    expect(nacked).toMatchObject({ id: first.message.id, state: 'ready', attempts: 1 });
    const second = (await client.receive({ agent: to })).deliveries[0]!;
    expect(second.message).toMatchObject({ id: first.message.id, attempts: 2 });
    const audit = await client.audit({ messageId: first.message.id, event: 'nacked' });
    expect(audit.events[0]?.details).toMatchObject({ reason: 'try again' });
  });

  test('nack accepts a bare receipt', async () => {
    const to = agent('nacker');
    await client.send({ from: 'p', to });
    const delivery = (await client.receive({ agent: to })).deliveries[0]!;
    expect((await client.nack(delivery.receipt)).state).toBe('ready');
  });

  test('extend pushes the lease expiry later and keeps the receipt valid', async () => {
    const to = agent('extender');
    await client.send({ from: 'p', to });
    const delivery = (await client.receive({ agent: to, leaseSeconds: 5 })).deliveries[0]!;
    const extended = await client.extend({ receipt: delivery.receipt, leaseSeconds: 600 });
    expect(Date.parse(extended.leaseExpiresAt)).toBeGreaterThan(Date.parse(delivery.leaseExpiresAt));
    expect(await client.ack(extended.receipt)).toEqual({ acked: 1 });
  });

  test('a long-polling receive returns the message sent while it waits', async () => {
    const to = agent('waiter');
    const waiting = client.receive({ agent: to, waitSeconds: 20 });
    // The receive is pending on the server; the send wakes it.
    await client.send({ from: 'p', to, type: 'wake' });
    const { deliveries } = await waiting;
    expect(deliveries.map((d) => d.message.type)).toEqual(['wake']);
  });

  test('a long poll longer than the client timeout still succeeds: the wait extends the timeout', async () => {
    const patient = bus.client({ timeoutMs: 1500 });
    const result = await patient.receive({ agent: agent('idle'), waitSeconds: 2 });
    expect(result.count).toBe(0);
  });

  test('a long poll of a client without a timeout (timeoutMs 0) is not cut off at the wait', async () => {
    const unlimited = bus.client({ timeoutMs: 0 });
    const result = await unlimited.receive({ agent: agent('idle'), waitSeconds: 1 });
    expect(result.count).toBe(0);
    const perCall = await client.receive({ agent: agent('idle'), waitSeconds: 1 }, { timeoutMs: 0 });
    expect(perCall.count).toBe(0);
  });

  test('a call that outlives its timeout is a FleetConnectionError saying so', async () => {
    const http = createHttpClient({ baseUrl: bus.url, retry: 0 });
    const error = await rejectionOf(
      callRoute(http, busRoutes.receive, { body: { agent: agent('idle'), waitSeconds: 3 } }, { timeoutMs: 100 }),
    );
    expect(error).toBeInstanceOf(FleetConnectionError);
    expect((error as FleetConnectionError).message).toBe(`cannot reach ${bus.url} (no answer within 100 ms)`);
  });

  test('an aborted call rejects with the abort reason, not a Fleet error', async () => {
    const controller = new AbortController();
    const pending = client.receive({ agent: agent('idle'), waitSeconds: 20 }, { signal: controller.signal });
    controller.abort(new Error('stop waiting'));
    const error = await rejectionOf(pending);
    expect(error).toEqual(new Error('stop waiting'));
    expect(isFleetError(error)).toBe(false);
  });
});

describe('BusClient: poll within what the client reads', () => {
  test('a client that reads less than the messages queued gets what fits, and the rest stays for the next poll', async () => {
    const to = agent('poller');
    const payload = (n: number) => ({ text: `${n}`.repeat(100_000) });
    for (const n of [1, 2, 3]) await client.send({ from: 'planner', to, payload: payload(n) });
    const small = bus.client({ maxResponseBytes: 250_000 });
    const taken: string[] = [];
    for (let poll = 0; poll < 3; poll++) {
      const { messages } = await small.poll(to, 10);
      taken.push(...messages.map((m) => (m.payload as { text: string }).text[0]!));
    }
    // Two fit in one answer of 250,000 bytes, the third comes with the next poll: none is lost.
    expect(taken).toEqual(['1', '2', '3']);
    expect((await client.poll(to, 10)).messages).toEqual([]);
  });
});

describe('BusClient: topics, dead letters, audit and stats', () => {
  test('subscribe, subscriptions and unsubscribe manage who gets a topic', async () => {
    const reader = agent('reader');
    const topic = `news/${agents}`;
    const subscription = await client.subscribe(reader, topic);
    expect(subscription).toMatchObject({ agent: reader, topic });
    expect((await client.subscriptions({ topic })).subscriptions.map((s) => s.agent)).toEqual([reader]);
    const sent = await client.send({ from: 'editor', topic, type: 'headline' });
    expect(sent.messages.map((m) => [m.to, m.topic])).toEqual([[reader, topic]]);
    expect(await client.unsubscribe(reader, topic)).toEqual({ removed: true });
    expect(await client.unsubscribe(reader, topic)).toEqual({ removed: false });
    expect((await client.subscriptions({ agent: reader })).count).toBe(0);
  });

  test('a message past its TTL is dead-lettered; deadLetters, deadLetter, redrive and purge manage it', async () => {
    const to = agent('late');
    const [message] = (await client.send({ from: 'p', to, ttlSeconds: 0.001 })).messages;
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A receive runs the agent's housekeeping: the expired message goes to the dead letters.
    expect((await client.receive({ agent: to })).count).toBe(0);

    const page = await client.deadLetters({ agent: to });
    expect(page).toMatchObject({ count: 1, nextCursor: null });
    expect(page.deadLetters[0]).toMatchObject({ reason: 'expired', message: { id: message!.id } });
    expect(await client.deadLetter(message!.id)).toMatchObject({ reason: 'expired', lastError: null });

    expect(await client.redrive({ ids: [message!.id] })).toEqual({ redriven: 1 });
    const redelivered = (await client.receive({ agent: to })).deliveries[0]!;
    expect(redelivered.message).toMatchObject({ id: message!.id, attempts: 1 });
    await client.nack({ receipt: redelivered.receipt, delaySeconds: 0 });

    const again = (await client.send({ from: 'p', to: agent('late'), ttlSeconds: 0.001 })).messages[0]!;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await client.receive({ agent: again.to });
    expect(await client.purge({ agent: again.to })).toEqual({ purged: 1 });
    expect((await client.deadLetters({ agent: again.to })).count).toBe(0);
  });

  test('audit lists a message’s transitions in order', async () => {
    const to = agent('audited');
    const [message] = (await client.send({ from: 'p', to })).messages;
    const delivery = (await client.receive({ agent: to })).deliveries[0]!;
    await client.ack(delivery.receipt);
    const audit = await client.audit({ messageId: message!.id });
    expect(audit.events.map((e) => e.event)).toEqual(['sent', 'delivered', 'acked']);
  });

  test('stats count ready, delayed and in-flight messages per recipient', async () => {
    const to = agent('counted');
    await client.sendBatch([
      { from: 'p', to },
      { from: 'p', to },
      { from: 'p', to, delaySeconds: 3600 },
    ]);
    await client.receive({ agent: to });
    const stats = await client.stats();
    expect(stats.recipients.find((r) => r.agent === to)).toMatchObject({ ready: 1, delayed: 1, inFlight: 1, dead: 0 });
  });

  test('health, metrics and openapi describe the server', async () => {
    expect(await client.health()).toMatchObject({ status: 'ok', service: 'fleet-bus' });
    expect(await client.metrics()).toContain('fleet_bus_ready_messages');
    const openapi = await client.openapi();
    expect(Object.keys(openapi.paths as object)).toContain('/message');
  });
});

describe('BusClient: errors', () => {
  test('an invalid send is a FleetHttpError validation_failed naming the field', async () => {
    const error = await rejectionOf(client.send({ from: 'p' }));
    expect(error).toBeInstanceOf(FleetHttpError);
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((error as FleetHttpError).details).toMatchObject({ issues: [expect.objectContaining({ field: 'to' })] });
  });

  test('an unknown receipt is receipt_unknown and acks nothing', async () => {
    const to = agent('acker');
    await client.send({ from: 'p', to });
    const delivery = (await client.receive({ agent: to })).deliveries[0]!;
    const error = await rejectionOf(client.ack([delivery.receipt, 'not-a-receipt']));
    expect(error).toMatchObject({ name: 'FleetHttpError', code: 'receipt_unknown' });
    expect(await client.ack(delivery.receipt)).toEqual({ acked: 1 });
  });

  test('deadLetter of an unknown id is not_found, with the id URI-encoded on the way', async () => {
    const error = await rejectionOf(client.deadLetter('no/such?id#here'));
    expect(error).toMatchObject({ status: 404, code: 'not_found' });
    expect((error as Error).message).toContain('no/such?id#here');
  });

  test('an unreachable server is a FleetConnectionError naming the URL', async () => {
    const gone = await startTestBus();
    await gone.close();
    const error = await rejectionOf(gone.client().stats());
    expect(error).toBeInstanceOf(FleetConnectionError);
    expect(error).toMatchObject({ code: 'unavailable', url: gone.url, reason: 'connection refused' });
    expect((error as Error).message).toBe(`cannot reach ${gone.url} (connection refused)`);
    expect(isFleetHttpError(error)).toBe(false);
  });

  test('a success answer that breaks the contract is a ResponseValidationError, not an HTTP error', async () => {
    const wrongHealth = defineRoute({
      method: 'GET',
      path: '/health',
      summary: 'health with a contract the server does not keep',
      response: z.object({ status: z.number() }),
    });
    const error = await rejectionOf(callRoute(createHttpClient({ baseUrl: bus.url }), wrongHealth, {}));
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(isFleetError(error)).toBe(false);
    expect((error as ResponseValidationError).issues[0]?.path).toEqual(['status']);
    expect((error as Error).message).toContain('status:');
  });
});

describe('BusClient: auth', () => {
  let secured: TestBus;
  beforeAll(async () => {
    secured = await startTestBus({ tokens: ['s3cret'] });
  });
  afterAll(() => secured.close());

  test('without a token a protected route is 401 unauthorized', async () => {
    const error = await rejectionOf(secured.client().stats());
    expect(error).toBeInstanceOf(FleetHttpError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  test('a wrong token is 401 unauthorized', async () => {
    const error = await rejectionOf(secured.client({ token: 'guess' }).send({ from: 'p', to: 'q' }));
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  test('the right token is sent as a bearer token and works', async () => {
    const authed = secured.client({ token: 's3cret' });
    await authed.send({ from: 'p', to: 'q' });
    expect((await authed.stats()).totals.ready).toBe(1);
  });

  test('health needs no token', async () => {
    expect((await secured.client().health()).status).toBe('ok');
  });
});

describe('BusClient: stream', () => {
  test('stream yields each message sent to the agent after it opened, and only those', async () => {
    const watched = agent('watched');
    const controller = new AbortController();
    const opened = deferred();
    const received: Message[] = [];
    const reading = (async () => {
      for await (const message of client.stream(watched, { signal: controller.signal, onOpen: opened.resolve })) {
        received.push(message);
        if (received.length === 2) break;
      }
    })();
    await opened.promise;
    await client.send({ from: 'p', to: agent('other'), type: 'not-for-watched' });
    await client.send({ from: 'p', to: watched, type: 'one', payload: { n: 1 } });
    await client.send({ from: 'p', to: watched, type: 'two' });
    await reading;
    expect(received.map((m) => [m.to, m.type])).toEqual([
      [watched, 'one'],
      [watched, 'two'],
    ]);
    expect(received[0]?.payload).toEqual({ n: 1 });
    // The stream does not consume: both are still there to receive.
    expect((await client.poll(watched, 10)).count).toBe(2);
  });

  test('stream ends without an error when its signal aborts', async () => {
    const controller = new AbortController();
    const opened = deferred();
    const received: Message[] = [];
    const reading = (async () => {
      for await (const message of client.stream(agent('quiet'), {
        signal: controller.signal,
        onOpen: opened.resolve,
      })) {
        received.push(message);
      }
    })();
    await opened.promise;
    controller.abort();
    await expect(reading).resolves.toBeUndefined();
    expect(received).toEqual([]);
  });

  test('stream against a server that refuses the token throws unauthorized', async () => {
    const secured = await startTestBus({ tokens: ['s3cret'] });
    try {
      const error = await rejectionOf(secured.client().stream('x').next());
      expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
    } finally {
      await secured.close();
    }
  });
});
