import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AUDIT_PRUNE_BATCH } from '../src/bus/internal/audit-retention.ts';
import type { MessageStore, MessageStoreOptions } from '../src/bus/message-store.ts';
import { type FleetError, isFleetError } from '../src/errors.ts';
import type { AuditEvent, AuditQuery } from '../src/schemas/audit.ts';
import { type Delivery, MAX_LEASE_SECONDS } from '../src/schemas/lease.ts';
import {
  MAX_BATCH_SIZE,
  MAX_DELAY_SECONDS,
  MAX_SEND_COPIES_BYTES,
  MAX_TTL_SECONDS,
  type Message,
  SendInput,
  type SendInputInit,
} from '../src/schemas/message.ts';
import { storeFactories } from './_stores.ts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** Resolves to the FleetError a promise rejects with; fails the test if it resolves or rejects otherwise. */
async function fleetError(promise: Promise<unknown>): Promise<FleetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isFleetError(error), `expected a FleetError, got ${String(error)}`).toBe(true);
  return error as FleetError;
}

describe.each(storeFactories)('%s MessageStore', (_name, create) => {
  let now: number;
  let stores: MessageStore[];
  let store: MessageStore;

  const advance = (seconds: number) => {
    now += Math.round(seconds * 1000);
  };
  async function open(options: MessageStoreOptions = {}): Promise<MessageStore> {
    const created = await create({ now: () => now, random: () => 0.5, ...options });
    stores.push(created);
    return created;
  }
  const send = (init: SendInputInit, target = store) => target.send(SendInput.parse(init));
  const sendBatch = (inits: SendInputInit[], target = store) => target.sendBatch(inits.map((i) => SendInput.parse(i)));
  const lease = (agent: string, limit = 10, leaseSeconds = 30, target = store) =>
    target.lease({ agent, limit, leaseSeconds });
  const leaseOne = async (agent: string, leaseSeconds = 30, target = store): Promise<Delivery> => {
    const [delivery] = await lease(agent, 1, leaseSeconds, target);
    if (!delivery) throw new Error(`nothing to lease for ${agent}`);
    return delivery;
  };
  const events = async (query: Partial<AuditQuery> = {}, target = store) =>
    (await target.audit({ limit: 1000, ...query })).items;
  const eventNames = async (messageId: string) => (await events({ messageId })).map((e) => e.event);

  beforeEach(async () => {
    now = T0;
    stores = [];
    store = await open();
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
  });

  describe('send', () => {
    test('a direct send stores one copy for the recipient', async () => {
      const result = await send({ from: 'alice', to: 'bob', type: 'greet', payload: { hi: 1 }, priority: 3 });
      expect(result.count).toBe(1);
      expect(result.duplicate).toBe(false);
      expect(result.messages[0]).toEqual({
        id: expect.any(String),
        from: 'alice',
        to: 'bob',
        topic: null,
        type: 'greet',
        payload: { hi: 1 },
        priority: 3,
        createdAt: iso(T0),
        availableAt: iso(T0),
        expiresAt: null,
        attempts: 0,
        idempotencyKey: null,
      } satisfies Message);
      const delivery = await leaseOne('bob');
      expect(delivery.message).toEqual({ ...result.messages[0], attempts: 1 });
      expect(await lease('alice')).toEqual([]);
    });

    test('delay and ttl set availableAt and expiresAt from now', async () => {
      const { messages } = await send({ from: 'a', to: 'b', delaySeconds: 5, ttlSeconds: 60 });
      expect(messages[0]?.availableAt).toBe(iso(T0 + 5000));
      expect(messages[0]?.expiresAt).toBe(iso(T0 + 60_000));
    });

    test('a topic send gives every subscriber its own copy, the sender included when subscribed', async () => {
      for (const agent of ['carol', 'alice', 'bob']) await store.subscribe(agent, 'news');
      await store.subscribe('dave', 'other');
      const result = await send({ from: 'alice', topic: 'news', payload: 'x' });
      expect(result.count).toBe(3);
      expect(result.messages.map((m) => m.to).sort()).toEqual(['alice', 'bob', 'carol']);
      expect(new Set(result.messages.map((m) => m.id)).size).toBe(3);
      expect(result.messages.every((m) => m.topic === 'news' && m.from === 'alice')).toBe(true);
      for (const agent of ['alice', 'bob', 'carol']) {
        expect((await leaseOne(agent)).message.topic).toBe('news');
      }
      expect(await lease('dave')).toEqual([]);
    });

    test('a topic send without subscribers stores nothing', async () => {
      const result = await send({ from: 'alice', topic: 'void' });
      expect(result).toEqual({ messages: [], count: 0, duplicate: false });
      expect((await store.stats()).count).toBe(0);
      expect(await events()).toEqual([]);
    });

    test('a broadcast reaches every known agent except the sender', async () => {
      await send({ from: 'sender1', to: 'recipient1' }); // sent and was sent to
      await store.subscribe('subscriber1', 'news');
      await lease('leaser1');
      await store.poll('poller1', 1);
      const result = await send({ from: 'sender1', to: '*', type: 'all-hands' });
      expect(result.messages.map((m) => m.to).sort()).toEqual(['leaser1', 'poller1', 'recipient1', 'subscriber1']);
      expect(result.messages.every((m) => m.topic === null && m.type === 'all-hands')).toBe(true);
      const fromNewcomer = await send({ from: 'newcomer', to: '*' });
      expect(fromNewcomer.count).toBe(5);
      expect(fromNewcomer.messages.map((m) => m.to)).not.toContain('newcomer');
    });

    test('a broadcast with no other known agent stores nothing', async () => {
      expect((await send({ from: 'alone', to: '*' })).count).toBe(0);
      expect((await send({ from: 'alone', to: '*' })).count).toBe(0);
      expect((await store.stats()).count).toBe(0);
    });

    test('every stored copy is audited as sent, for its recipient, with sender and topic', async () => {
      await store.subscribe('bob', 't');
      await store.subscribe('carol', 't');
      const { messages } = await send({ from: 'alice', topic: 't' });
      const sent = await events({ event: 'sent' });
      expect(sent).toHaveLength(2);
      for (const message of messages) {
        expect(sent).toContainEqual({
          seq: expect.any(Number),
          at: iso(T0),
          event: 'sent',
          messageId: message.id,
          agent: message.to,
          details: { from: 'alice', topic: 't' },
        } satisfies AuditEvent);
      }
    });

    test('a batch stores every item and returns the copies in item order', async () => {
      await store.subscribe('x', 't');
      await store.subscribe('y', 't');
      const result = await sendBatch([
        { from: 'a', to: 'b', payload: 1 },
        { from: 'a', topic: 't', payload: 2 },
        { from: 'a', to: 'c', payload: 3 },
      ]);
      expect(result.count).toBe(4);
      expect(result.messages.map((m) => m.payload)).toEqual([1, 2, 2, 3]);
      expect((await store.stats()).totals.ready).toBe(4);
    });

    test('a batch whose third item fails stores nothing at all', async () => {
      // Schema-parsed input cannot fail at the store; an item that bypassed the schema (no `to`, no `topic`) can.
      const received: Message[] = [];
      store.onMessage((m) => received.push(m));
      const valid = [
        SendInput.parse({ from: 'a', to: 'fresh-agent', idempotencyKey: 'k1' }),
        SendInput.parse({ from: 'a', to: 'b' }),
      ];
      const broken = { ...SendInput.parse({ from: 'a', to: 'c' }), to: undefined } as unknown as SendInput;
      const error = await fleetError(store.sendBatch([...valid, broken]));
      expect(error.code).toBe('validation_failed');
      expect((await store.stats()).count).toBe(0);
      expect(await events()).toEqual([]);
      expect(received).toEqual([]);
      // Nothing of the failed batch took effect: no agent became known and the key is unused.
      expect((await send({ from: 'z', to: '*' })).count).toBe(0);
      expect((await send({ from: 'a', to: 'fresh-agent', idempotencyKey: 'k1' })).duplicate).toBe(false);
    });

    test('a fan-out whose copies would exceed the limit is refused before anything is stored', async () => {
      const subscribers = 130;
      for (let i = 0; i < subscribers; i += 1) await store.subscribe(`s${i}`, 'wide');
      const received: Message[] = [];
      store.onMessage((m) => received.push(m));
      // 130 copies of a payload just over 1/130 of the limit: one send, and already too much.
      const over = 'y'.repeat(Math.ceil(MAX_SEND_COPIES_BYTES / subscribers));
      const error = await fleetError(send({ from: 'boss', topic: 'wide', payload: over, idempotencyKey: 'k' }));
      expect(error.code).toBe('payload_too_large');
      expect(error.message).toContain('130 copies');
      expect(error.details).toMatchObject({ issues: [{ field: 'payload', code: 'too_big' }] });
      // The same send as a batch of one names the field as a batch does.
      const asBatch = await fleetError(sendBatch([{ from: 'boss', topic: 'wide', payload: over }]));
      expect(asBatch.details).toMatchObject({ issues: [{ field: 'messages.0.payload' }] });
      // In a batch the item that takes the sum over is named, and the items before it are not stored.
      const half = 'y'.repeat(Math.ceil(MAX_SEND_COPIES_BYTES / subscribers / 2));
      const batchError = await fleetError(
        sendBatch([
          { from: 'boss', to: 'direct' },
          { from: 'boss', topic: 'wide', payload: half },
          { from: 'boss', topic: 'wide', payload: half },
        ]),
      );
      expect(batchError.details).toMatchObject({ issues: [{ field: 'messages.2.payload' }] });
      expect((await store.stats()).count).toBe(0);
      expect(await events()).toEqual([]);
      expect(received).toEqual([]);
      // The key was not used, and a fan-out under the limit goes through.
      const small = await send({ from: 'boss', topic: 'wide', payload: 'small', idempotencyKey: 'k' });
      expect(small).toMatchObject({ count: subscribers, duplicate: false });
    });

    test('a repeated key counts the earlier copies it answers with against the same limit', async () => {
      const big = 'y'.repeat(1_000_000);
      await send({ from: 'boss', to: 'b', payload: big, idempotencyKey: 'k' });
      // Each repeat is a small item answering with the earlier 1 MB copy: 51 of them pass 48 MiB.
      const repeats = Array.from({ length: 60 }, () => ({ from: 'boss', to: 'b', idempotencyKey: 'k' }));
      const error = await fleetError(sendBatch([{ from: 'boss', to: 'c' }, ...repeats]));
      expect(error.code).toBe('payload_too_large');
      expect(error.details).toMatchObject({ issues: [{ field: 'messages.51.idempotencyKey' }] });
      // A key repeated inside the batch answers with its first item's copies: counted the same way.
      const inBatch = Array.from({ length: 60 }, () => ({ from: 'boss', to: 'd', idempotencyKey: 'k2' }));
      const inBatchError = await fleetError(
        sendBatch([{ from: 'boss', to: 'd', payload: big, idempotencyKey: 'k2' }, ...inBatch]),
      );
      expect(inBatchError.details).toMatchObject({ issues: [{ field: 'messages.51.idempotencyKey' }] });
      expect((await store.stats()).count).toBe(1);
      expect((await send({ from: 'boss', to: 'd', idempotencyKey: 'k2' })).duplicate).toBe(false);
      // Fewer repeats stay under the limit and answer with the original copy each time.
      const fine = await sendBatch(repeats.slice(0, 40));
      expect(fine).toMatchObject({ count: 40, duplicate: true });
    });
  });

  describe('idempotency', () => {
    test('a repeat inside the window returns the original copies and stores nothing', async () => {
      const received: Message[] = [];
      store.onMessage((m) => received.push(m));
      const first = await send({ from: 'a', to: 'b', payload: 'v1', idempotencyKey: 'k' });
      await leaseOne('b'); // the stored copy moves on; the repeat still returns it as it was sent
      advance(299.999);
      const repeat = await send({ from: 'a', to: 'b', payload: 'v2', idempotencyKey: 'k' });
      expect(repeat).toEqual({ messages: first.messages, count: 1, duplicate: true });
      expect((await store.stats()).totals).toEqual({ ready: 0, inFlight: 1, delayed: 0, dead: 0 });
      expect(await events({ event: 'sent' })).toHaveLength(1);
      expect(received).toHaveLength(1);
    });

    test('a repeat of a topic send returns every original copy', async () => {
      await store.subscribe('x', 't');
      await store.subscribe('y', 't');
      const first = await send({ from: 'a', topic: 't', idempotencyKey: 'k' });
      await store.subscribe('z', 't');
      expect(await send({ from: 'a', topic: 't', idempotencyKey: 'k' })).toEqual({ ...first, duplicate: true });
    });

    test('the same key from another sender is a new send', async () => {
      await send({ from: 'a', to: 'b', idempotencyKey: 'k' });
      const other = await send({ from: 'c', to: 'b', idempotencyKey: 'k' });
      expect(other.duplicate).toBe(false);
      expect((await store.stats()).totals.ready).toBe(2);
    });

    test('a key is a new send once the window has passed', async () => {
      const first = await send({ from: 'a', to: 'b', idempotencyKey: 'k' });
      advance(300);
      const again = await send({ from: 'a', to: 'b', idempotencyKey: 'k' });
      expect(again.duplicate).toBe(false);
      expect(again.messages[0]?.id).not.toBe(first.messages[0]?.id);
      // The new send starts a new window.
      advance(299);
      expect(await send({ from: 'a', to: 'b', idempotencyKey: 'k' })).toEqual({ ...again, duplicate: true });
    });

    test('sweep keeps idempotency keys that are still inside the window', async () => {
      const windowed = await open({ idempotencyWindowSeconds: 10 });
      await send({ from: 'a', to: 'b', idempotencyKey: 'old' }, windowed);
      advance(5);
      await send({ from: 'a', to: 'b', idempotencyKey: 'new' }, windowed);
      advance(5);
      await windowed.sweep();
      expect((await send({ from: 'a', to: 'b', idempotencyKey: 'old' }, windowed)).duplicate).toBe(false);
      expect((await send({ from: 'a', to: 'b', idempotencyKey: 'new' }, windowed)).duplicate).toBe(true);
    });

    test('a key repeated inside one batch returns the first item copies', async () => {
      const result = await sendBatch([
        { from: 'a', to: 'b', payload: 1, idempotencyKey: 'k' },
        { from: 'a', to: 'c', payload: 2, idempotencyKey: 'k' },
      ]);
      expect(result.count).toBe(2);
      expect(result.duplicate).toBe(false);
      expect(result.messages[1]).toEqual(result.messages[0]);
      expect(result.messages[0]?.to).toBe('b');
      expect((await store.stats()).totals.ready).toBe(1);
    });

    test('with no window (0 s), a key repeated inside one batch sends both items', async () => {
      const unwindowed = await open({ idempotencyWindowSeconds: 0 });
      const result = await sendBatch(
        [
          { from: 'a', to: 'b', payload: 1, idempotencyKey: 'k' },
          { from: 'a', to: 'c', payload: 2, idempotencyKey: 'k' },
        ],
        unwindowed,
      );
      expect(result.count).toBe(2);
      expect(result.duplicate).toBe(false);
      expect(result.messages.map((message) => message.to)).toEqual(['b', 'c']);
      expect((await unwindowed.stats()).totals.ready).toBe(2);
    });

    test('a batch is a duplicate only when every item is', async () => {
      const first = await send({ from: 'a', to: 'b', idempotencyKey: 'k1' });
      const mixed = await sendBatch([
        { from: 'a', to: 'b', idempotencyKey: 'k1' },
        { from: 'a', to: 'c', idempotencyKey: 'k2' },
      ]);
      expect(mixed.duplicate).toBe(false);
      expect(mixed.count).toBe(2);
      expect(mixed.messages[0]).toEqual(first.messages[0]);
      const repeat = await sendBatch([
        { from: 'a', to: 'b', idempotencyKey: 'k1' },
        { from: 'a', to: 'c', idempotencyKey: 'k2' },
      ]);
      expect(repeat).toEqual({ ...mixed, duplicate: true });
      expect((await store.stats()).totals.ready).toBe(2);
    });
  });

  describe('delivery order', () => {
    test('higher priority is delivered first, then first in first out', async () => {
      const priorities = [0, 5, 0, 5, -1, 0];
      for (const [i, priority] of priorities.entries()) await send({ from: 'a', to: 'b', priority, payload: i });
      const order = (await lease('b')).map((d) => d.message.payload);
      expect(order).toEqual([1, 3, 0, 2, 5, 4]);
    });

    test('order is per recipient: another agent messages do not interleave', async () => {
      await send({ from: 'a', to: 'c', priority: 9 });
      await send({ from: 'a', to: 'b', payload: 'mine' });
      expect((await lease('b')).map((d) => d.message.payload)).toEqual(['mine']);
    });

    test('a message that comes back keeps its original place in line', async () => {
      for (const i of [0, 1, 2]) await send({ from: 'a', to: 'b', payload: i });
      const first = await leaseOne('b');
      await store.nack({ receipt: first.receipt, delaySeconds: 0 });
      expect((await lease('b')).map((d) => d.message.payload)).toEqual([0, 1, 2]);
    });

    test('lease and poll take at most limit messages', async () => {
      for (const i of [0, 1, 2, 3]) await send({ from: 'a', to: 'b', payload: i });
      expect((await lease('b', 2)).map((d) => d.message.payload)).toEqual([0, 1]);
      expect((await store.poll('b', 1)).map((m) => m.payload)).toEqual([2]);
    });
  });

  describe('delay and ttl', () => {
    test('a delayed message is delivered once its delay has passed, not before', async () => {
      await send({ from: 'a', to: 'b', delaySeconds: 10 });
      advance(9.999);
      expect(await lease('b')).toEqual([]);
      expect(await store.poll('b', 10)).toEqual([]);
      advance(0.001);
      expect(await lease('b')).toHaveLength(1);
    });

    test('a delayed high-priority message does not hold back ready ones', async () => {
      await send({ from: 'a', to: 'b', priority: 10, delaySeconds: 60, payload: 'later' });
      await send({ from: 'a', to: 'b', payload: 'now' });
      expect((await lease('b')).map((d) => d.message.payload)).toEqual(['now']);
    });

    test('a message is deliverable until its ttl runs out', async () => {
      await send({ from: 'a', to: 'b', ttlSeconds: 10 });
      advance(9.999);
      expect(await lease('b')).toHaveLength(1);
    });

    test('an expired message is never delivered and is dead-lettered as expired', async () => {
      const { messages } = await send({ from: 'a', to: 'b', ttlSeconds: 10 });
      const id = messages[0]!.id;
      advance(10);
      expect(await lease('b')).toEqual([]);
      expect(await store.deadLetter(id)).toEqual({
        message: { ...messages[0], attempts: 0 },
        reason: 'expired',
        deadAt: iso(T0 + 10_000),
        lastError: null,
      });
      expect(await eventNames(id)).toEqual(['sent', 'expired', 'dead_lettered']);
      expect((await events({ messageId: id, event: 'dead_lettered' }))[0]?.details).toEqual({ reason: 'expired' });
    });

    test('poll never returns an expired message', async () => {
      const { messages } = await send({ from: 'a', to: 'b', ttlSeconds: 1 });
      advance(1);
      expect(await store.poll('b', 10)).toEqual([]);
      expect((await store.deadLetter(messages[0]!.id))?.reason).toBe('expired');
    });

    test('a delayed message whose ttl runs out before its delay is dead-lettered, never delivered', async () => {
      const { messages } = await send({ from: 'a', to: 'b', delaySeconds: 20, ttlSeconds: 10 });
      advance(20);
      expect(await lease('b')).toEqual([]);
      expect((await store.deadLetter(messages[0]!.id))?.reason).toBe('expired');
    });

    test('sweep dead-letters expired messages of every agent', async () => {
      await send({ from: 'a', to: 'b', ttlSeconds: 5 });
      await send({ from: 'a', to: 'c', ttlSeconds: 5 });
      await send({ from: 'a', to: 'c', ttlSeconds: 50 });
      advance(5);
      await store.sweep();
      const stats = await store.stats();
      expect(stats.totals).toEqual({ ready: 1, inFlight: 0, delayed: 0, dead: 2 });
    });
  });

  describe('leases', () => {
    test('after thousands of leases ran out, the next lease delivers the oldest message first', async () => {
      const sent = await sendBatch(Array.from({ length: 2500 }, (_, n) => ({ from: 'a', to: 'b', payload: n })));
      // The oldest 1,500 leased longer than the newest 1,000: those expire first. A lease takes at
      // most MAX_BATCH_SIZE messages.
      const leaseMany = async (count: number, leaseSeconds: number) => {
        for (let n = 0; n < count; n += MAX_BATCH_SIZE) {
          expect(await lease('b', MAX_BATCH_SIZE, leaseSeconds)).toHaveLength(MAX_BATCH_SIZE);
        }
      };
      await leaseMany(1500, 20);
      await leaseMany(1000, 10);
      advance(30);
      const [next] = await lease('b', 1, 30);
      expect(next?.message.id).toBe(sent.messages[0]?.id);
      expect((await store.stats()).totals).toMatchObject({ ready: 2499, inFlight: 1 });
    });

    test('a lease returns the message with attempts counted, a receipt and the lease expiry', async () => {
      const { messages } = await send({ from: 'a', to: 'b' });
      advance(1);
      const delivery = await leaseOne('b', 30);
      expect(delivery.message).toEqual({ ...messages[0], attempts: 1 });
      expect(delivery.receipt).toEqual(expect.any(String));
      expect(delivery.leaseExpiresAt).toBe(iso(T0 + 31_000));
      const [delivered] = await events({ event: 'delivered' });
      expect(delivered).toMatchObject({
        messageId: messages[0]!.id,
        agent: 'b',
        at: iso(T0 + 1000),
        details: { attempt: 1, leaseExpiresAt: iso(T0 + 31_000) },
      });
    });

    test('a leased message is hidden from other receives until the lease runs out', async () => {
      await send({ from: 'a', to: 'b' });
      await leaseOne('b', 30);
      advance(29.999);
      expect(await lease('b')).toEqual([]);
      expect(await store.poll('b', 10)).toEqual([]);
      advance(0.001);
      expect(await lease('b')).toHaveLength(1);
    });

    test('an expired lease redelivers the message with a new receipt and the old one stops working', async () => {
      const { messages } = await send({ from: 'a', to: 'b' });
      const first = await leaseOne('b', 30);
      advance(30);
      const second = await leaseOne('b', 30);
      expect(second.message.id).toBe(messages[0]!.id);
      expect(second.message.attempts).toBe(2);
      expect(second.receipt).not.toBe(first.receipt);
      expect((await fleetError(store.ack([first.receipt]))).code).toBe('receipt_expired');
      expect(await store.ack([second.receipt])).toBe(1);
      expect(await eventNames(messages[0]!.id)).toEqual(['sent', 'delivered', 'lease_expired', 'delivered', 'acked']);
    });

    test('sweep returns expired leases of every agent to ready', async () => {
      await send({ from: 'a', to: 'b' });
      await send({ from: 'a', to: 'c' });
      await leaseOne('b', 10);
      await leaseOne('c', 20);
      advance(10);
      await store.sweep();
      const stats = await store.stats();
      expect(stats.recipients.map((r) => [r.agent, r.ready, r.inFlight])).toEqual([
        ['b', 1, 0],
        ['c', 0, 1],
      ]);
      expect(await events({ event: 'lease_expired' })).toHaveLength(1);
    });

    test('a lease that runs out after the ttl dead-letters the message as expired', async () => {
      const { messages } = await send({ from: 'a', to: 'b', ttlSeconds: 20 });
      await leaseOne('b', 30);
      advance(30);
      await store.sweep();
      expect((await store.deadLetter(messages[0]!.id))?.reason).toBe('expired');
      expect(await eventNames(messages[0]!.id)).toEqual([
        'sent',
        'delivered',
        'lease_expired',
        'expired',
        'dead_lettered',
      ]);
    });

    test('a lease that runs out after the ttl on the last attempt is dead-lettered as expired', async () => {
      const limited = await open({ maxAttempts: 1 });
      const { messages } = await send({ from: 'a', to: 'b', ttlSeconds: 20 }, limited);
      await leaseOne('b', 30, limited);
      advance(30);
      await limited.sweep();
      expect((await limited.deadLetter(messages[0]!.id))?.reason).toBe('expired');
    });

    test('every delivery counts as an attempt', async () => {
      await send({ from: 'a', to: 'b' });
      await leaseOne('b', 10);
      advance(10);
      const second = await leaseOne('b', 10);
      await store.nack({ receipt: second.receipt, delaySeconds: 0 });
      const third = await leaseOne('b', 10);
      expect(third.message.attempts).toBe(3);
    });

    test('a lease that runs out on the last attempt dead-letters the message', async () => {
      const limited = await open({ maxAttempts: 2 });
      const { messages } = await send({ from: 'a', to: 'b' }, limited);
      await leaseOne('b', 10, limited);
      advance(10);
      await leaseOne('b', 10, limited);
      advance(10);
      expect(await lease('b', 10, 10, limited)).toEqual([]);
      const dead = await limited.deadLetter(messages[0]!.id);
      expect(dead).toMatchObject({ reason: 'max_attempts', deadAt: iso(T0 + 20_000), lastError: null });
      expect(dead?.message.attempts).toBe(2);
      expect((await events({ messageId: messages[0]!.id }, limited)).slice(-2)).toMatchObject([
        { event: 'lease_expired' },
        { event: 'dead_lettered', details: { reason: 'max_attempts' } },
      ]);
    });

    test('extending a lease runs it from now and keeps the receipt valid', async () => {
      await send({ from: 'a', to: 'b' });
      const delivery = await leaseOne('b', 30);
      advance(20);
      const before = (await events()).length;
      expect(await store.extendLease({ receipt: delivery.receipt, leaseSeconds: 30 })).toEqual({
        receipt: delivery.receipt,
        leaseExpiresAt: iso(T0 + 50_000),
      });
      expect(await events()).toHaveLength(before);
      advance(20);
      expect(await lease('b')).toEqual([]);
      expect(await store.ack([delivery.receipt])).toBe(1);
    });

    test('extending a lease that ran out fails with receipt_expired', async () => {
      await send({ from: 'a', to: 'b' });
      const delivery = await leaseOne('b', 30);
      advance(30);
      const error = await fleetError(store.extendLease({ receipt: delivery.receipt, leaseSeconds: 30 }));
      expect(error.code).toBe('receipt_expired');
      expect(error.details).toEqual({ field: 'receipt' });
    });
  });

  describe('nack', () => {
    test('nack with a delay makes the message available after that delay', async () => {
      const { messages } = await send({ from: 'a', to: 'b' });
      const delivery = await leaseOne('b');
      expect(await store.nack({ receipt: delivery.receipt, delaySeconds: 5, reason: 'busy' })).toEqual({
        id: messages[0]!.id,
        state: 'ready',
        attempts: 1,
        availableAt: iso(T0 + 5000),
      });
      const [nacked] = await events({ event: 'nacked' });
      expect(nacked).toMatchObject({ agent: 'b', details: { delaySeconds: 5, reason: 'busy' } });
      advance(4.999);
      expect(await lease('b')).toEqual([]);
      advance(0.001);
      expect((await leaseOne('b')).message.attempts).toBe(2);
    });

    test('nack without delay backs off exponentially with jitter', async () => {
      // base 1s: attempt n waits in [ceiling/10, ceiling] with ceiling = 2^(n-1); random 0.5 -> 0.55 * ceiling.
      await send({ from: 'a', to: 'b' });
      const expected = [0.55, 1.1, 2.2];
      for (const seconds of expected) {
        const delivery = await leaseOne('b');
        const result = await store.nack({ receipt: delivery.receipt });
        expect(result.availableAt).toBe(iso(now + seconds * 1000));
        advance(seconds);
      }
      expect((await events({ event: 'nacked' }))[0]?.details).toEqual({ delaySeconds: null, reason: null });
    });

    test('nack backoff stays between a tenth of the ceiling and the ceiling, capped at the maximum', async () => {
      for (const [random, seconds] of [
        [0, 1.5],
        [0.999_999, 15],
      ] as const) {
        const jittered = await open({ random: () => random, backoffBaseSeconds: 10, backoffMaxSeconds: 15 });
        await send({ from: 'a', to: 'b' }, jittered);
        const first = await leaseOne('b', 30, jittered);
        await jittered.nack({ receipt: first.receipt, delaySeconds: 0 });
        const second = await leaseOne('b', 30, jittered); // attempt 2: ceiling min(15, 10 * 2) = 15
        const result = await jittered.nack({ receipt: second.receipt });
        const delayMs = Date.parse(result.availableAt!) - now;
        expect(delayMs).toBeGreaterThanOrEqual(1500);
        expect(delayMs).toBeLessThanOrEqual(15_000);
        expect(delayMs).toBeCloseTo(seconds * 1000, -1);
      }
    });

    test('nack on the last attempt dead-letters the message with the reason as lastError', async () => {
      const limited = await open({ maxAttempts: 2 });
      const { messages } = await send({ from: 'a', to: 'b' }, limited);
      const id = messages[0]!.id;
      await limited.nack({ receipt: (await leaseOne('b', 30, limited)).receipt, delaySeconds: 0, reason: 'first' });
      const last = await leaseOne('b', 30, limited);
      expect(await limited.nack({ receipt: last.receipt, reason: 'boom' })).toEqual({
        id,
        state: 'dead',
        attempts: 2,
        availableAt: null,
      });
      expect(await limited.deadLetter(id)).toEqual({
        message: { ...messages[0], attempts: 2 },
        reason: 'max_attempts',
        deadAt: iso(T0),
        lastError: 'boom',
      });
      expect((await events({ messageId: id }, limited)).map((e) => e.event)).toEqual([
        'sent',
        'delivered',
        'nacked',
        'delivered',
        'nacked',
        'dead_lettered',
      ]);
      expect(await lease('b', 10, 30, limited)).toEqual([]);
    });

    test('a receipt is spent once nacked', async () => {
      await send({ from: 'a', to: 'b' });
      const delivery = await leaseOne('b');
      await store.nack({ receipt: delivery.receipt, delaySeconds: 60 });
      expect((await fleetError(store.nack({ receipt: delivery.receipt }))).code).toBe('receipt_expired');
      expect((await fleetError(store.ack([delivery.receipt]))).code).toBe('receipt_expired');
    });
  });

  describe('receipts and ack', () => {
    test('ack deletes the message and audits it', async () => {
      const { messages } = await send({ from: 'a', to: 'b' });
      const delivery = await leaseOne('b');
      expect(await store.ack([delivery.receipt, delivery.receipt])).toBe(1);
      expect((await store.stats()).count).toBe(0);
      expect(await eventNames(messages[0]!.id)).toEqual(['sent', 'delivered', 'acked']);
    });

    test('a malformed receipt is receipt_unknown and the error names it', async () => {
      for (const receipt of ['garbage', '~token', 'id~']) {
        const error = await fleetError(store.nack({ receipt }));
        expect(error.code).toBe('receipt_unknown');
        expect(error.details).toEqual({ field: 'receipt' });
        expect(error.message).toContain(receipt);
      }
    });

    test('a receipt of a message that no longer exists is receipt_unknown', async () => {
      await send({ from: 'a', to: 'b' });
      const delivery = await leaseOne('b');
      await store.ack([delivery.receipt]);
      const error = await fleetError(store.ack([delivery.receipt]));
      expect(error.code).toBe('receipt_unknown');
      expect(error.details).toEqual({ field: 'receipts.0' });
      expect((await fleetError(store.extendLease({ receipt: delivery.receipt, leaseSeconds: 5 }))).code).toBe(
        'receipt_unknown',
      );
    });

    test('a receipt whose lease ran out is receipt_expired even before a sweep', async () => {
      await send({ from: 'a', to: 'b' });
      const delivery = await leaseOne('b', 30);
      advance(30);
      const error = await fleetError(store.ack([delivery.receipt]));
      expect(error.code).toBe('receipt_expired');
      expect(error.message).toContain(delivery.receipt);
    });

    test('a receipt with a forged lease token is receipt_expired', async () => {
      await send({ from: 'a', to: 'b' });
      const delivery = await leaseOne('b');
      const forged = `${delivery.message.id}~not-the-token`;
      expect((await fleetError(store.extendLease({ receipt: forged, leaseSeconds: 5 }))).code).toBe('receipt_expired');
    });

    test('a receipt of a dead-lettered message is receipt_expired', async () => {
      const limited = await open({ maxAttempts: 1 });
      await send({ from: 'a', to: 'b' }, limited);
      const delivery = await leaseOne('b', 30, limited);
      await limited.nack({ receipt: delivery.receipt });
      expect((await fleetError(limited.ack([delivery.receipt]))).code).toBe('receipt_expired');
    });

    test('ack of a batch with one bad receipt acks nothing', async () => {
      for (const i of [0, 1, 2]) await send({ from: 'a', to: 'b', payload: i });
      const [d0, d1, d2] = await lease('b');
      const error = await fleetError(store.ack([d0!.receipt, `${d1!.message.id}~forged`, d2!.receipt]));
      expect(error.code).toBe('receipt_expired');
      expect(error.details).toEqual({ field: 'receipts.1' });
      expect((await store.stats()).totals.inFlight).toBe(3);
      expect(await events({ event: 'acked' })).toEqual([]);
      expect(await store.ack([d0!.receipt, d1!.receipt, d2!.receipt])).toBe(3);
    });

    test.each(['ack', 'extend', 'nack'] as const)(
      'a stale receipt %s racing a lease never hides the redelivered message from it',
      async (op) => {
        // Many rounds, each on a fresh agent: the race is lost only in some interleavings.
        for (let round = 0; round < 50; round++) {
          const agent = `racer-${round}`;
          const first = await send({ from: 'a', to: agent, type: 'first' });
          await send({ from: 'a', to: agent, type: 'second' });
          const stale = await leaseOne(agent, 1);
          advance(2);
          // In any order the two run, `first` is due again and ahead of `second`.
          const [used, leased] = await Promise.allSettled([
            op === 'ack'
              ? store.ack([stale.receipt])
              : op === 'extend'
                ? store.extendLease({ receipt: stale.receipt, leaseSeconds: 10 })
                : store.nack({ receipt: stale.receipt }),
            lease(agent, 1, 30),
          ]);
          expect(used.status === 'rejected' && (used.reason as FleetError).code).toBe('receipt_expired');
          expect(leased.status === 'fulfilled' && leased.value.map((d) => d.message.id)).toEqual([
            first.messages[0]!.id,
          ]);
        }
      },
    );
  });

  describe('poll', () => {
    test('poll removes and returns messages in delivery order with attempts counted', async () => {
      await send({ from: 'a', to: 'b', payload: 'low' });
      const { messages } = await send({ from: 'a', to: 'b', payload: 'high', priority: 1 });
      const polled = await store.poll('b', 10);
      expect(polled.map((m) => m.payload)).toEqual(['high', 'low']);
      expect(polled[0]).toEqual({ ...messages[0], attempts: 1 });
      expect(await store.poll('b', 10)).toEqual([]);
      expect(await lease('b')).toEqual([]);
      expect((await store.stats()).count).toBe(0);
      expect((await events({ messageId: messages[0]!.id, event: 'delivered' }))[0]?.details).toEqual({
        mode: 'poll',
      });
    });
  });

  describe('poll within a byte budget', () => {
    test('takes only the messages whose payloads fit, in delivery order; the others stay queued', async () => {
      const text = (n: number) => `${n}`.repeat(300_000); // each payload's JSON: 300,002 bytes
      for (const n of [1, 2, 3]) await send({ from: 'a', to: 'b', payload: text(n) });
      // 2 x (300,002 + 512) fit in 700,000; a third would not.
      const first = await store.poll('b', 10, 700_000);
      expect(first.map((m) => (m.payload as string)[0])).toEqual(['1', '2']);
      expect((await store.stats()).count).toBe(1);
      expect((await store.poll('b', 10, 700_000)).map((m) => (m.payload as string)[0])).toEqual(['3']);
    });

    test('counts each message whole, its long or non-ASCII text fields too: what it answers fits the budget', async () => {
      const from = 'f'.repeat(128);
      const to = `b-${'x'.repeat(126)}`;
      // Up to 3 bytes a character, and characters JSON escapes.
      const type = '任"'.repeat(64);
      for (let n = 0; n < 30; n++) {
        await send({ from, to, type, idempotencyKey: `鍵\\${n}`.repeat(40).slice(0, 256), payload: n });
      }
      const budget = 16 * 1024;
      const taken: number[] = [];
      for (let poll = 0; poll < 30 && taken.length < 30; poll++) {
        const answer = await store.poll(to, 100, budget);
        expect(answer.length).toBeGreaterThan(0);
        expect(Buffer.byteLength(JSON.stringify({ messages: answer, count: answer.length }))).toBeLessThanOrEqual(
          budget,
        );
        taken.push(...answer.map((m) => m.payload as number));
      }
      expect(taken).toEqual(Array.from({ length: 30 }, (_, n) => n));
    });

    test('a message larger than the budget is answered alone rather than never', async () => {
      await send({ from: 'a', to: 'b', payload: 'x'.repeat(10_000) });
      await send({ from: 'a', to: 'b', payload: 'y' });
      expect((await store.poll('b', 10, 100)).map((m) => (m.payload as string)[0])).toEqual(['x']);
      expect((await store.poll('b', 10, 100)).map((m) => m.payload)).toEqual(['y']);
    });

    test('a budget that is not a positive number is refused', async () => {
      await expect(store.poll('b', 10, 0)).rejects.toMatchObject({
        code: 'validation_failed',
        details: { issues: [{ field: 'maxBytes' }] },
      });
    });
  });

  describe('numbers out of bounds (direct callers skip the HTTP layer schemas)', () => {
    type BadCall = [field: string, call: () => Promise<unknown>];

    /**
     * Runs the bad calls and one good send in the same turn (one SQLite group, one PostgreSQL
     * combined statement): each bad call is refused with `validation_failed` naming its field, and
     * the good send is stored.
     */
    async function expectEachRefusedAlone(bad: BadCall[]): Promise<void> {
      const settled = await Promise.allSettled([
        ...bad.map(([, call]) => call()),
        store.send(SendInput.parse({ from: 'a', to: 'bystander' })),
      ]);
      bad.forEach(([field], index) => {
        const outcome = settled[index]!;
        const error = outcome.status === 'rejected' ? outcome.reason : undefined;
        expect(isFleetError(error), `call ${index} (${field}): expected a FleetError, got ${String(error)}`).toBe(true);
        expect(error, `call ${index}`).toMatchObject({ code: 'validation_failed', details: { issues: [{ field }] } });
        expect((error as FleetError).message.startsWith(`${field}: `), (error as FleetError).message).toBe(true);
      });
      expect(settled.at(-1)?.status, String((settled.at(-1) as PromiseRejectedResult).reason)).toBe('fulfilled');
    }

    test('a send or batch with a number out of bounds fails alone, naming the field, and stores nothing', async () => {
      const received: Message[] = [];
      store.onMessage((m) => received.push(m));
      const plain = SendInput.parse({ from: 'a', to: 'b' });
      const keyed = SendInput.parse({ from: 'a', to: 'b', idempotencyKey: 'k' });
      await expectEachRefusedAlone([
        ['priority', () => store.send({ ...plain, priority: Number.NaN })],
        ['priority', () => store.send({ ...plain, priority: 1.5 })],
        ['priority', () => store.send({ ...keyed, priority: 101 })],
        ['delaySeconds', () => store.send({ ...plain, delaySeconds: -1 })],
        ['delaySeconds', () => store.send({ ...keyed, delaySeconds: Number.POSITIVE_INFINITY })],
        ['delaySeconds', () => store.send({ ...plain, delaySeconds: MAX_DELAY_SECONDS + 1 })],
        ['ttlSeconds', () => store.send({ ...plain, ttlSeconds: 0 })],
        ['ttlSeconds', () => store.send({ ...keyed, ttlSeconds: Number.NaN })],
        ['ttlSeconds', () => store.send({ ...plain, ttlSeconds: MAX_TTL_SECONDS + 1 })],
        ['messages.1.priority', () => store.sendBatch([plain, { ...keyed, priority: -101 }])],
        ['messages.0.delaySeconds', () => store.sendBatch([{ ...plain, delaySeconds: Number.NaN }, keyed])],
      ]);
      expect(received.map((m) => m.to)).toEqual(['bystander']);
      expect((await store.stats()).count).toBe(1);
      expect((await events({ agent: 'b' })).map((e) => e.event)).toEqual([]);
      // The key of the refused sends was not used.
      expect((await store.send(keyed)).duplicate).toBe(false);
    });

    test('a lease or poll with a bad limit or lease length fails alone and leaves the message ready', async () => {
      const { messages } = await send({ from: 'a', to: 'b' });
      const leaseOf = (limit: number, leaseSeconds: number) => () => store.lease({ agent: 'b', limit, leaseSeconds });
      await expectEachRefusedAlone([
        ['limit', leaseOf(1.5, 30)],
        ['limit', leaseOf(0, 30)],
        ['limit', leaseOf(Number.NaN, 30)],
        ['limit', leaseOf(MAX_BATCH_SIZE + 1, 30)],
        ['leaseSeconds', leaseOf(1, Number.NaN)],
        ['leaseSeconds', leaseOf(1, 0)],
        ['leaseSeconds', leaseOf(1, -1)],
        ['leaseSeconds', leaseOf(1, MAX_LEASE_SECONDS + 1)],
        ['limit', () => store.poll('b', 1.5)],
        ['limit', () => store.poll('b', 0)],
        ['limit', () => store.poll('b', Number.POSITIVE_INFINITY)],
      ]);
      expect((await store.stats()).totals).toMatchObject({ ready: 2, inFlight: 0, dead: 0 });
      expect(await events({ event: 'delivered' })).toEqual([]);
      // Never delivered: the next lease is its first attempt.
      expect((await leaseOne('b')).message).toEqual({ ...messages[0], attempts: 1 });
    });

    test('a call with a field of the wrong type (a direct caller without the schemas) fails alone, naming it', async () => {
      const plain = SendInput.parse({ from: 'a', to: 'b' });
      const wrong = <T>(value: unknown) => value as T;
      await expectEachRefusedAlone([
        ['type', () => store.send({ ...plain, type: wrong(undefined) })],
        ['idempotencyKey', () => store.send({ ...plain, idempotencyKey: wrong(undefined) })],
        ['from', () => store.send({ ...plain, from: wrong({ name: 'a' }) })],
        ['payload', () => store.send({ ...plain, payload: wrong(() => 1) })],
        ['messages.1.to', () => store.sendBatch([plain, { ...plain, to: wrong(42) }])],
        ['agent', () => store.lease({ agent: wrong(undefined), limit: 1, leaseSeconds: 30 })],
        ['to', () => store.poll(wrong(null), 1)],
        ['topic', () => store.subscribe('e', wrong(undefined))],
        ['agent', () => store.unsubscribe(wrong(7), 'builds')],
      ]);
      expect((await store.stats()).recipients.map((r) => r.agent)).toEqual(['bystander']);
      expect(await store.subscriptions({})).toEqual([]);
    });

    test('after close every call is refused as unavailable, whatever its arguments', async () => {
      await store.close();
      const refused = await Promise.all([
        fleetError(store.send(SendInput.parse({ from: 'a', to: 'b' }))),
        fleetError(store.lease({ agent: 'b', limit: 0, leaseSeconds: 30 })),
        fleetError(store.poll('b', 0)),
        fleetError(store.nack({ receipt: 'x~y', delaySeconds: -1 })),
        fleetError(store.extendLease({ receipt: 'x~y', leaseSeconds: 0 })),
        fleetError(store.subscribe('e', 'builds')),
      ]);
      expect(refused.map((error) => error.code)).toEqual(Array(6).fill('unavailable'));
    });

    test('a nack or extension with a bad number fails alone and the lease holds as it was', async () => {
      await send({ from: 'a', to: 'b' });
      const { receipt } = await leaseOne('b', 30);
      await expectEachRefusedAlone([
        ['delaySeconds', () => store.nack({ receipt, delaySeconds: Number.NaN })],
        ['delaySeconds', () => store.nack({ receipt, delaySeconds: -1 })],
        ['delaySeconds', () => store.nack({ receipt, delaySeconds: MAX_DELAY_SECONDS + 1 })],
        ['leaseSeconds', () => store.extendLease({ receipt, leaseSeconds: Number.NaN })],
        ['leaseSeconds', () => store.extendLease({ receipt, leaseSeconds: 0 })],
        ['leaseSeconds', () => store.extendLease({ receipt, leaseSeconds: Number.POSITIVE_INFINITY })],
      ]);
      expect((await store.stats()).totals).toMatchObject({ ready: 1, inFlight: 1, dead: 0 });
      expect(await events({ event: 'nacked' })).toEqual([]);
      // Still leased under the same receipt, until the original expiry.
      advance(29);
      expect(await lease('b')).toEqual([]);
      expect(await store.ack([receipt])).toBe(1);
    });
  });

  describe('dead letters', () => {
    /** Dead-letters five messages: ttl 1, 2, 2, 3, 3 seconds, swept each second; two for 'c'. */
    async function fiveDeadLetters(): Promise<string[]> {
      const ids: string[] = [];
      for (const [to, ttlSeconds] of [
        ['b', 1],
        ['c', 2],
        ['b', 2],
        ['c', 3],
        ['b', 3],
      ] as const) {
        ids.push((await send({ from: 'a', to, ttlSeconds })).messages[0]!.id);
      }
      for (const _ of [1, 2, 3]) {
        advance(1);
        await store.sweep();
      }
      return ids;
    }

    test('dead letters are listed oldest first, page by page', async () => {
      const ids = await fiveDeadLetters();
      const seen: string[] = [];
      let cursor: string | undefined;
      const pageSizes: number[] = [];
      do {
        const page = await store.deadLetters({ limit: 2, ...(cursor === undefined ? {} : { cursor }) });
        pageSizes.push(page.items.length);
        seen.push(...page.items.map((d) => d.message.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(pageSizes).toEqual([2, 2, 1]);
      expect(seen).toEqual(ids);
      const all = await store.deadLetters({ limit: 50 });
      expect(all.nextCursor).toBeNull();
      expect(all.items.map((d) => d.deadAt)).toEqual([1, 2, 2, 3, 3].map((s) => iso(T0 + s * 1000)));
    });

    test('dead letters can be listed for one agent', async () => {
      const ids = await fiveDeadLetters();
      const first = await store.deadLetters({ agent: 'c', limit: 1 });
      expect(first.items.map((d) => d.message.id)).toEqual([ids[1]]);
      const second = await store.deadLetters({ agent: 'c', limit: 1, cursor: first.nextCursor! });
      expect(second.items.map((d) => d.message.id)).toEqual([ids[3]]);
      expect(second.nextCursor).toBeNull();
      expect((await store.deadLetters({ agent: 'nobody', limit: 10 })).items).toEqual([]);
    });

    test('a malformed cursor is rejected', async () => {
      await fiveDeadLetters();
      expect((await fleetError(store.deadLetters({ limit: 2, cursor: '%%%' }))).code).toBe('validation_failed');
      expect((await fleetError(store.audit({ limit: 2, cursor: 'nope' }))).code).toBe('validation_failed');
    });

    test('deadLetter returns a dead letter, and undefined for a live or unknown message', async () => {
      const ids = await fiveDeadLetters();
      expect((await store.deadLetter(ids[0]!))?.message.id).toBe(ids[0]);
      const live = await send({ from: 'a', to: 'b' });
      expect(await store.deadLetter(live.messages[0]!.id)).toBeUndefined();
      expect(await store.deadLetter('no-such-id')).toBeUndefined();
    });

    test('redrive by id returns dead letters to ready with attempts reset and a passed ttl cleared', async () => {
      const ids = await fiveDeadLetters();
      const live = await send({ from: 'a', to: 'b' });
      advance(1);
      expect(await store.redrive({ ids: [ids[0]!, ids[2]!, live.messages[0]!.id, 'unknown'] })).toBe(2);
      expect(await store.deadLetter(ids[0]!)).toBeUndefined();
      const delivered = await lease('b');
      expect(delivered.map((d) => d.message.id)).toEqual([ids[0], ids[2], live.messages[0]!.id]);
      expect(delivered[0]?.message).toMatchObject({ attempts: 1, expiresAt: null, availableAt: iso(T0 + 4000) });
      expect(await eventNames(ids[0]!)).toEqual(['sent', 'expired', 'dead_lettered', 'redriven', 'delivered']);
      expect((await store.deadLetters({ limit: 50 })).items).toHaveLength(3);
    });

    test('redrive keeps a ttl that has not passed yet', async () => {
      const limited = await open({ maxAttempts: 1 });
      const { messages } = await send({ from: 'a', to: 'b', ttlSeconds: 3600 }, limited);
      await limited.nack({ receipt: (await leaseOne('b', 30, limited)).receipt, reason: 'bad' });
      expect(await limited.redrive({ agent: 'b' })).toBe(1);
      const again = await leaseOne('b', 30, limited);
      expect(again.message).toMatchObject({ attempts: 1, expiresAt: messages[0]!.expiresAt });
    });

    test('redrive by agent only touches that agent', async () => {
      await fiveDeadLetters();
      expect(await store.redrive({ agent: 'c' })).toBe(2);
      expect(await store.redrive({ agent: 'c' })).toBe(0);
      const stats = await store.stats();
      expect(stats.recipients.map((r) => [r.agent, r.ready, r.dead])).toEqual([
        ['b', 0, 3],
        ['c', 2, 0],
      ]);
    });

    test('purge deletes dead letters by id and by agent, never live messages', async () => {
      const ids = await fiveDeadLetters();
      const live = await send({ from: 'a', to: 'b' });
      expect(await store.purge({ ids: [ids[0]!, live.messages[0]!.id] })).toBe(1);
      expect(await store.deadLetter(ids[0]!)).toBeUndefined();
      expect(await store.purge({ agent: 'c' })).toBe(2);
      expect(await store.purge({ agent: 'c' })).toBe(0);
      expect((await store.deadLetters({ limit: 50 })).items.map((d) => d.message.id)).toEqual([ids[2], ids[4]]);
      expect((await lease('b')).map((d) => d.message.id)).toEqual([live.messages[0]!.id]);
      expect(await events({ event: 'purged' })).toHaveLength(3);
      expect((await events({ messageId: ids[1] })).at(-1)).toMatchObject({ event: 'purged', agent: 'c' });
    });
  });

  describe('audit trail', () => {
    test('events are numbered in ascending order and filtered by message, agent and event', async () => {
      const toB = (await send({ from: 'a', to: 'b' })).messages[0]!;
      const toC = (await send({ from: 'a', to: 'c' })).messages[0]!;
      advance(1);
      await store.ack([(await leaseOne('b')).receipt]);
      const all = await events();
      expect(all.map((e) => [e.event, e.messageId])).toEqual([
        ['sent', toB.id],
        ['sent', toC.id],
        ['delivered', toB.id],
        ['acked', toB.id],
      ]);
      const seqs = all.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(4);
      expect(all.at(-1)?.at).toBe(iso(T0 + 1000));
      expect((await events({ messageId: toC.id })).map((e) => e.event)).toEqual(['sent']);
      expect((await events({ agent: 'b' })).map((e) => e.event)).toEqual(['sent', 'delivered', 'acked']);
      expect((await events({ event: 'sent' })).map((e) => e.agent)).toEqual(['b', 'c']);
      expect(await events({ agent: 'b', event: 'acked', messageId: toC.id })).toEqual([]);
    });

    test("a sweep lists its events agent by agent (by name), each agent's expired leases by expiry, then send order", async () => {
      // zed is known first; amy's events still come first.
      const late = (await send({ from: 'p', to: 'zed', payload: 'late' })).messages[0]!;
      const low = (await send({ from: 'p', to: 'amy', payload: 'low' })).messages[0]!;
      const high = (await send({ from: 'p', to: 'amy', payload: 'high', priority: 5 })).messages[0]!;
      const short = (await send({ from: 'p', to: 'amy', payload: 'short' })).messages[0]!;
      await lease('zed', 1, 10);
      // Leased high first (priority), then low: same expiry, so listed in send order.
      expect((await lease('amy', 2, 30)).map((d) => d.message.id)).toEqual([high.id, low.id]);
      await lease('amy', 1, 20);
      advance(31);
      await store.sweep();
      expect((await events({ event: 'lease_expired' })).map((e) => e.messageId)).toEqual([
        short.id,
        low.id,
        high.id,
        late.id,
      ]);
    });

    test('redrive and purge of an agent list their events in dead-letter order (time of death, then id)', async () => {
      const strict = await open({ maxAttempts: 1 });
      const first = (await send({ from: 'p', to: 'b', payload: 'first' }, strict)).messages[0]!;
      const second = (await send({ from: 'p', to: 'b', payload: 'second' }, strict)).messages[0]!;
      const [a, b] = await lease('b', 2, 30, strict);
      await strict.nack({ receipt: b!.receipt, delaySeconds: 0 });
      advance(1);
      await strict.nack({ receipt: a!.receipt, delaySeconds: 0 });
      expect(await strict.redrive({ agent: 'b' })).toBe(2);
      expect((await events({ event: 'redriven' }, strict)).map((e) => e.messageId)).toEqual([second.id, first.id]);
      const [c, d] = await lease('b', 2, 30, strict);
      await strict.nack({ receipt: c!.receipt, delaySeconds: 0 });
      advance(1);
      await strict.nack({ receipt: d!.receipt, delaySeconds: 0 });
      expect(await strict.purge({ agent: 'b' })).toBe(2);
      expect((await events({ event: 'purged' }, strict)).map((e) => e.messageId)).toEqual([first.id, second.id]);
    });

    test('since leaves out the events before that time, and pages from there', async () => {
      await send({ from: 'a', to: 'b', payload: 'before' });
      advance(10);
      for (const i of [0, 1, 2]) await send({ from: 'a', to: 'b', payload: i });
      const since = iso(T0 + 10_000);
      const after = await events({ since });
      expect(after).toHaveLength(3);
      expect(after.every((e) => e.at === since)).toBe(true);
      const first = await store.audit({ limit: 2, since });
      const rest = await store.audit({ limit: 2, since, cursor: first.nextCursor! });
      expect([...first.items, ...rest.items]).toEqual(after);
      expect(rest.nextCursor).toBeNull();
    });

    test('the audit trail is paginated with a cursor', async () => {
      for (const i of [0, 1, 2, 3, 4]) await send({ from: 'a', to: 'b', payload: i });
      const all = await events();
      const pages: AuditEvent[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.audit({ limit: 2, ...(cursor === undefined ? {} : { cursor }) });
        pages.push(page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(all);
      const filtered = await store.audit({ limit: 5, agent: 'b' });
      expect(filtered.nextCursor).toBeNull();
    });

    test('sweep prunes audit events older than the maximum age', async () => {
      const aging = await open({ auditMaxAgeSeconds: 60 });
      await send({ from: 'a', to: 'b', payload: 'old' }, aging);
      const [old] = await events({}, aging);
      advance(30);
      const recent = await send({ from: 'a', to: 'b', payload: 'recent' }, aging);
      await aging.sweep();
      // Nothing removed yet: the trail says it is complete.
      expect((await aging.audit({ limit: 10 })).prunedThrough).toBeNull();
      advance(31);
      await aging.sweep();
      expect((await events({}, aging)).map((e) => e.messageId)).toEqual([recent.messages[0]!.id]);
      // The trail says how far back retention removed events, on every page, filtered or not.
      expect((await aging.audit({ limit: 1, agent: 'nobody' })).prunedThrough).toBe(old!.at);
    });

    test('options out of range are refused when the store opens, naming the option', async () => {
      await expect(open({ auditMaxEvents: -1 })).rejects.toThrow(/auditMaxEvents must be a whole number >= 0, got -1/);
      await expect(open({ maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
      await expect(open({ auditMaxAgeSeconds: Number.NaN })).rejects.toThrow(/auditMaxAgeSeconds/);
    });

    test('sweep keeps only the newest audit events', async () => {
      const capped = await open({ auditMaxEvents: 3 });
      for (const i of [0, 1, 2, 3, 4]) {
        await send({ from: 'a', to: 'b', payload: i }, capped);
        advance(1);
      }
      const before = await events({}, capped);
      await capped.sweep();
      expect(await events({}, capped)).toEqual(before.slice(2));
      expect((await capped.audit({ limit: 10 })).prunedThrough).toBe(before[1]!.at);
    });
    test('retention removes only the front of the trail, which never gets holes (the clock set back)', async () => {
      const skewed = await open({ auditMaxAgeSeconds: 60, auditMaxEvents: 5 });
      advance(30);
      await send({ from: 'a', to: 'b', payload: 'first' }, skewed);
      advance(-30);
      await sendBatch(
        [1, 2, 3].map((i) => ({ from: 'a', to: 'b', payload: i })),
        skewed,
      );
      advance(65);
      const four = await events({}, skewed);
      await skewed.sweep();
      // Three events are past the maximum age, but behind a younger one: they stay, for now.
      expect(await events({}, skewed)).toEqual(four);
      await sendBatch(
        [4, 5].map((i) => ({ from: 'a', to: 'b', payload: i })),
        skewed,
      );
      const six = await events({}, skewed);
      await skewed.sweep();
      // Six events, five kept: the first goes, and the trail is complete after it.
      expect(await events({}, skewed)).toEqual(six.slice(1));
      expect((await skewed.audit({ limit: 1 })).prunedThrough).toBe(iso(T0 + 30_000));
      await skewed.sweep();
      // Now at the front, the events past the maximum age go.
      expect(await events({}, skewed)).toEqual(six.slice(4));
    });

    describe('an audit backlog larger than one retention pass', () => {
      /** Two and a half passes of `sent` events: 100 topic sends in one batch, to as many subscribers as that takes. */
      const BACKLOG = AUDIT_PRUNE_BATCH * 2.5;
      async function fillTrail(target: MessageStore): Promise<void> {
        for (let i = 0; i < BACKLOG / 100; i++) await target.subscribe(`s${i}`, 'load');
        await sendBatch(
          Array.from({ length: 100 }, () => ({ from: 'bulk', topic: 'load' })),
          target,
        );
      }
      const allEvents = async (target: MessageStore) => {
        const all: AuditEvent[] = [];
        let cursor: string | undefined;
        do {
          const page = await target.audit({ limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
          all.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        return all;
      };

      test('one sweep keeps only the newest events, however many arrived since the last', async () => {
        const capped = await open({ auditMaxEvents: 10 });
        await fillTrail(capped);
        const before = await allEvents(capped);
        expect(before).toHaveLength(BACKLOG);
        await capped.sweep();
        expect(await allEvents(capped)).toEqual(before.slice(-10));
      });

      test('one sweep removes every event past the maximum age', async () => {
        const aging = await open({ auditMaxAgeSeconds: 60 });
        await fillTrail(aging);
        advance(61);
        const recent = await send({ from: 'a', to: 'b' }, aging);
        await aging.sweep();
        expect((await events({}, aging)).map((e) => e.messageId)).toEqual([recent.messages[0]!.id]);
        expect((await aging.audit({ limit: 1 })).prunedThrough).toBe(iso(T0));
      });
    });
  });

  describe('stats', () => {
    test('an empty store has no recipients and zero totals', async () => {
      expect(await store.stats()).toEqual({
        recipients: [],
        count: 0,
        totals: { ready: 0, inFlight: 0, delayed: 0, dead: 0 },
      });
    });

    test('stats count ready, delayed, in-flight and dead messages per recipient', async () => {
      await send({ from: 'a', to: 'zed' });
      await send({ from: 'a', to: 'bob', ttlSeconds: 1 });
      advance(1);
      await store.sweep(); // bob: one dead
      await send({ from: 'a', to: 'bob' });
      advance(2);
      await send({ from: 'a', to: 'bob' });
      await send({ from: 'a', to: 'bob', delaySeconds: 60 });
      await send({ from: 'a', to: 'bob', payload: 'leased', priority: 1 });
      await leaseOne('bob');
      advance(1.5);
      expect(await store.stats()).toEqual({
        recipients: [
          { agent: 'bob', ready: 2, delayed: 1, inFlight: 1, dead: 1, oldestReadyAgeSeconds: 3.5 },
          { agent: 'zed', ready: 1, delayed: 0, inFlight: 0, dead: 0, oldestReadyAgeSeconds: 4.5 },
        ],
        count: 2,
        totals: { ready: 3, delayed: 1, inFlight: 1, dead: 1 },
      });
    });

    test('a delayed message whose ttl has passed (not yet swept) counts as neither ready nor delayed', async () => {
      await send({ from: 'a', to: 'b', delaySeconds: 60, ttlSeconds: 10 });
      await send({ from: 'a', to: 'b', delaySeconds: 60 });
      advance(30);
      expect(await store.stats()).toMatchObject({
        recipients: [{ agent: 'b', ready: 0, delayed: 1, inFlight: 0, dead: 0, oldestReadyAgeSeconds: null }],
        totals: { ready: 0, delayed: 1, inFlight: 0, dead: 0 },
      });
    });

    test('an agent whose messages are all gone drops out of the stats', async () => {
      await send({ from: 'a', to: 'b' });
      await store.ack([(await leaseOne('b')).receipt]);
      expect((await store.stats()).recipients).toEqual([]);
    });
  });

  describe('subscriptions', () => {
    test('subscribe is idempotent and returns the existing subscription', async () => {
      const first = await store.subscribe('bob', 'news');
      expect(first).toEqual({ agent: 'bob', topic: 'news', createdAt: iso(T0) });
      advance(10);
      expect(await store.subscribe('bob', 'news')).toEqual(first);
      expect(await store.subscriptions({})).toEqual([first]);
    });

    test('unsubscribe removes a subscription and reports false when there was none', async () => {
      await store.subscribe('bob', 'news');
      expect(await store.unsubscribe('bob', 'news')).toBe(true);
      expect(await store.unsubscribe('bob', 'news')).toBe(false);
      expect(await store.unsubscribe('carol', 'never')).toBe(false);
      expect((await send({ from: 'a', topic: 'news' })).count).toBe(0);
    });

    test('subscriptions are listed by topic then agent and filtered by either', async () => {
      for (const [agent, topic] of [
        ['carol', 'b-topic'],
        ['bob', 'b-topic'],
        ['carol', 'a-topic'],
        ['alice', 'c-topic'],
      ] as const) {
        await store.subscribe(agent, topic);
      }
      const pairs = (list: { agent: string; topic: string }[]) => list.map((s) => `${s.topic}:${s.agent}`);
      expect(pairs(await store.subscriptions({}))).toEqual([
        'a-topic:carol',
        'b-topic:bob',
        'b-topic:carol',
        'c-topic:alice',
      ]);
      expect(pairs(await store.subscriptions({ agent: 'carol' }))).toEqual(['a-topic:carol', 'b-topic:carol']);
      expect(pairs(await store.subscriptions({ topic: 'b-topic' }))).toEqual(['b-topic:bob', 'b-topic:carol']);
      expect(pairs(await store.subscriptions({ agent: 'bob', topic: 'a-topic' }))).toEqual([]);
    });
  });

  describe('onMessage', () => {
    test('listeners see every stored copy once it is committed, and never a duplicate', async () => {
      await store.subscribe('x', 't');
      await store.subscribe('y', 't');
      const seen: Message[] = [];
      const leasedInListener: Promise<Delivery[]>[] = [];
      store.onMessage((message) => {
        seen.push(message);
        leasedInListener.push(lease(message.to));
      });
      const result = await send({ from: 'a', topic: 't', idempotencyKey: 'k' });
      await send({ from: 'a', topic: 't', idempotencyKey: 'k' });
      expect(seen).toEqual(result.messages);
      const leased = await Promise.all(leasedInListener);
      expect(leased.map((d) => d.map((x) => x.message.id))).toEqual(result.messages.map((m) => [m.id]));
    });

    test('an unsubscribed listener is not called again', async () => {
      const seen: string[] = [];
      const stop = store.onMessage((m) => seen.push(m.id));
      const first = await send({ from: 'a', to: 'b' });
      stop();
      await send({ from: 'a', to: 'b' });
      expect(seen).toEqual([first.messages[0]!.id]);
    });

    test('a listener for one agent sees only the copies to that agent, one for every agent sees all', async () => {
      const forB: string[] = [];
      const forAll: string[] = [];
      const stopB = store.onMessage((m) => forB.push(m.id), 'b');
      store.onMessage((m) => forAll.push(m.id));
      const toB = await send({ from: 'a', to: 'b' });
      const toC = await send({ from: 'a', to: 'c' });
      stopB();
      const toBLater = await send({ from: 'a', to: 'b' });
      expect(forB).toEqual([toB.messages[0]!.id]);
      expect(forAll).toEqual([toB, toC, toBLater].map((r) => r.messages[0]!.id));
    });
  });

  describe('close', () => {
    test('closing twice is fine', async () => {
      const closing = await open();
      await send({ from: 'a', to: 'b' }, closing);
      await closing.close();
      await expect(closing.close()).resolves.toBeUndefined();
    });
  });
});
