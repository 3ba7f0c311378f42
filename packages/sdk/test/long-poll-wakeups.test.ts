import { afterEach, describe, expect, test } from 'vitest';
import { leaseWithWait } from '../src/bus/long-poll.ts';
import type { MessageStore } from '../src/bus/message-store.ts';
import { NackInput, ReceiveInput } from '../src/schemas/lease.ts';
import { SendInput } from '../src/schemas/message.ts';
import { storeFactories } from './_stores.ts';

// What wakes a long poll, on every backend: a send, and, while the agent has anything queued, the
// periodic re-check that finds delays, nacks, expired leases and redrives coming due. An agent with
// nothing queued is looked at every 5 s only: a fleet of idle agents must not re-lease twice a second each.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const send = (store: MessageStore, to: string, payload: unknown, extra: Record<string, unknown> = {}) =>
  store.send(SendInput.parse({ from: 'sender', to, payload, ...extra }));
const receive = (agent: string, waitSeconds: number, leaseSeconds = 30) =>
  ReceiveInput.parse({ agent, waitSeconds, leaseSeconds });

/** Counts the store's leases from now on (the store itself is untouched). */
function countLeases(store: MessageStore): { readonly count: number } {
  const lease = store.lease.bind(store);
  const counter = { count: 0 };
  store.lease = (request) => {
    counter.count += 1;
    return lease(request);
  };
  return counter;
}

const open: MessageStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});

describe.each(storeFactories)('long-poll wakeups on %s', (_name, create) => {
  const fresh = async (options = {}) => {
    const store = await create(options);
    open.push(store);
    return store;
  };

  test('hasQueued says whether anything is queued for the agent, in any state', async () => {
    const store = await fresh({ maxAttempts: 1 });
    expect(await store.hasQueued?.('b')).toBe(false);
    await send(store, 'b', 'one');
    expect(await store.hasQueued?.('b')).toBe(true);
    expect(await store.hasQueued?.('c')).toBe(false);
    const [delivery] = await store.lease({ agent: 'b', limit: 1, leaseSeconds: 30 });
    expect(await store.hasQueued?.('b')).toBe(true);
    await store.ack([delivery!.receipt]);
    expect(await store.hasQueued?.('b')).toBe(false);
    await send(store, 'b', 'later', { delaySeconds: 3600 });
    expect(await store.hasQueued?.('b')).toBe(true);
    await send(store, 'd', 'doomed');
    const [doomed] = await store.lease({ agent: 'd', limit: 1, leaseSeconds: 30 });
    await store.nack(NackInput.parse({ receipt: doomed!.receipt, delaySeconds: 0 }));
    expect((await store.deadLetters({ agent: 'd', limit: 10 })).items).toHaveLength(1);
    expect(await store.hasQueued?.('d')).toBe(true);
  });

  test('an idle long poll on an empty queue leases once, then wakes for a send', async () => {
    const store = await fresh();
    const leases = countLeases(store);
    const waiting = leaseWithWait(store, receive('idle', 20));
    // Three re-check intervals of an agent that has something queued.
    await sleep(1600);
    expect(leases.count).toBe(1);
    await send(store, 'idle', 'wake up');
    const deliveries = await waiting;
    expect(deliveries.map((d) => d.message.payload)).toEqual(['wake up']);
    expect(leases.count).toBe(2);
  });

  test('a waiter gets a delayed message when it comes due', async () => {
    const store = await fresh();
    await send(store, 'b', 'due soon', { delaySeconds: 0.4 });
    const deliveries = await leaseWithWait(store, receive('b', 15));
    expect(deliveries.map((d) => d.message.payload)).toEqual(['due soon']);
  });

  test('a waiter gets a message another consumer nacked back to ready', async () => {
    const store = await fresh();
    await send(store, 'b', 'retry me');
    const [first] = await store.lease({ agent: 'b', limit: 1, leaseSeconds: 30 });
    const waiting = leaseWithWait(store, receive('b', 15));
    await sleep(100);
    await store.nack(NackInput.parse({ receipt: first!.receipt, delaySeconds: 0 }));
    const deliveries = await waiting;
    expect(deliveries.map((d) => [d.message.payload, d.message.attempts])).toEqual([['retry me', 2]]);
  });

  test('a waiter gets a message whose lease ran out', async () => {
    const store = await fresh();
    await send(store, 'b', 'abandoned');
    await store.lease({ agent: 'b', limit: 1, leaseSeconds: 0.4 });
    const deliveries = await leaseWithWait(store, receive('b', 15));
    expect(deliveries.map((d) => d.message.payload)).toEqual(['abandoned']);
  });

  test('a waiter gets a redriven dead letter', async () => {
    const store = await fresh({ maxAttempts: 1 });
    await send(store, 'b', 'second chance');
    const [only] = await store.lease({ agent: 'b', limit: 1, leaseSeconds: 30 });
    await store.nack(NackInput.parse({ receipt: only!.receipt, delaySeconds: 0 }));
    const waiting = leaseWithWait(store, receive('b', 15));
    await sleep(100);
    expect(await store.redrive({ agent: 'b' })).toBe(1);
    const deliveries = await waiting;
    expect(deliveries.map((d) => d.message.payload)).toEqual(['second chance']);
  });
});
