import { afterEach, describe, expect, test, vi } from 'vitest';
import { leaseWithWait, waitForMessage } from '../src/bus/long-poll.ts';
import { MemoryMessageStore } from '../src/bus/memory-store.ts';
import { SqliteMessageStore } from '../src/bus/sqlite-store.ts';
import type { Delivery } from '../src/schemas/lease.ts';
import { ReceiveInput } from '../src/schemas/lease.ts';
import { SendInput } from '../src/schemas/message.ts';
import { freshDatabasePath } from './_stores.ts';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('leaseWithWait', () => {
  test('a send committed in the same group right after the lease wakes the waiter at once', async () => {
    const store = new SqliteMessageStore({ path: freshDatabasePath() });
    // Fake timers: the periodic re-check never fires, so only the message itself can end the wait.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let deliveries: Delivery[] | undefined;
    const waiting = leaseWithWait(store, ReceiveInput.parse({ agent: 'b', waitSeconds: 20 })).then((result) => {
      deliveries = result;
    });
    // Same tick: queued behind the lease, so the lease finds nothing and the copy commits just after it.
    await store.send(SendInput.parse({ from: 'a', to: 'b', payload: 'same group' }));
    expect(store.commitCount).toBe(1);
    for (let i = 0; i < 10 && deliveries === undefined; i++) await turn();
    expect(deliveries?.map((d) => d.message.payload)).toEqual(['same group']);
    await vi.runAllTimersAsync();
    await waiting;
    await store.close();
  });

  test('waitForMessage with an already aborted signal resolves at once and leaves no timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const store = new MemoryMessageStore();
    let resolved = false;
    const waiting = waitForMessage(store, 'b', 60_000, AbortSignal.abort()).then(() => {
      resolved = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(resolved).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await vi.runAllTimersAsync();
    await waiting;
  });

  test('an abort during the wait leases nothing more, not even a message that came due meanwhile', async () => {
    let now = Date.parse('2026-12-06T00:00:00Z');
    const store = new MemoryMessageStore({ now: () => now });
    await store.send(SendInput.parse({ from: 'a', to: 'b', payload: 'later', delaySeconds: 10 }));
    const controller = new AbortController();
    const waiting = leaseWithWait(
      store,
      ReceiveInput.parse({ agent: 'b', waitSeconds: 20, leaseSeconds: 3600 }),
      controller.signal,
    );
    await turn();
    // The delayed message comes due, and the client goes away before the next re-check finds it.
    now += 11_000;
    controller.abort();
    expect(await waiting).toEqual([]);
    const stats = await store.stats();
    expect(stats.totals).toMatchObject({ ready: 1, inFlight: 0 });
    expect((await store.lease({ agent: 'b', limit: 1, leaseSeconds: 30 })).map((d) => d.message.payload)).toEqual([
      'later',
    ]);
  });

  test('an already aborted signal leases nothing', async () => {
    const store = new MemoryMessageStore();
    await store.send(SendInput.parse({ from: 'a', to: 'b', payload: 'kept' }));
    for (const waitSeconds of [0, 20]) {
      expect(await leaseWithWait(store, ReceiveInput.parse({ agent: 'b', waitSeconds }), AbortSignal.abort())).toEqual(
        [],
      );
    }
    expect((await store.stats()).totals).toMatchObject({ ready: 1, inFlight: 0 });
  });
});
