import { randomTools, seededRandom } from '@fleet/test-utils/mulberry32';
import { spawnBus } from '@fleet/test-utils/spawn-bus';
import { afterAll, describe, expect, test } from 'vitest';
import { BusClient } from '../src/bus/bus-client.ts';
import { readQueueCounts } from '../src/bus/sqlite/recount.ts';
import { SqliteMessageStore } from '../src/bus/sqlite-store.ts';
import type { SendInputInit } from '../src/schemas/message.ts';
import { expectCountersMatchRecount, MIX_AGENTS, openRaw } from './_queue-mix.ts';
import { freshDatabasePath } from './_stores.ts';

// The bus runs as a child process (the built fleet-bus, which the root `npm test` builds first),
// so it can be killed with SIGKILL in the middle of its writes.

const SEED = 12;
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * `workers` loops of random operations over HTTP until the server dies: sends of every kind with
 * short delays and TTLs, short leases (the server's sweeper expires them every second), polls,
 * acks, nacks, extends, redrives and purges. Resolves with how many calls succeeded.
 */
function mixedLoad(url: string, workers: number) {
  let succeeded = 0;
  let stopped = false;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    const { int, pick, chance } = randomTools(seededRandom(SEED, worker));
    const client = new BusClient({ url, retry: 0 });
    const receipts: string[] = [];
    const send = (): SendInputInit => ({
      from: pick(MIX_AGENTS),
      ...(chance(0.15) ? { topic: 'jobs' } : chance(0.1) ? { to: '*' } : { to: pick(MIX_AGENTS) }),
      payload: { worker, pad: 'x'.repeat(200) },
      priority: pick([0, 0, 1]),
      delaySeconds: chance(0.3) ? int(3) : 0,
      ttlSeconds: chance(0.3) ? int(4) + 1 : null,
    });
    const operations: Array<() => Promise<unknown>> = [
      () => client.send(send()),
      () => client.send(send()),
      () => client.sendBatch(Array.from({ length: int(5) + 1 }, send)),
      () => client.subscribe(pick(MIX_AGENTS), 'jobs'),
      async () => {
        const { deliveries } = await client.receive({ agent: pick(MIX_AGENTS), limit: int(3) + 1, leaseSeconds: 1 });
        receipts.push(...deliveries.map((delivery) => delivery.receipt));
      },
      async () => {
        const { deliveries } = await client.receive({ agent: pick(MIX_AGENTS), limit: 2, leaseSeconds: 1 });
        receipts.push(...deliveries.map((delivery) => delivery.receipt));
      },
      () => client.poll(pick(MIX_AGENTS), 2),
      () => client.ack(receipts.splice(0, int(3) + 1)),
      () => client.nack({ receipt: receipts.shift() ?? 'none~none', delaySeconds: int(2) }),
      () => client.extend({ receipt: receipts[0] ?? 'none~none', leaseSeconds: 2 }),
      // Dead letters of c and d are left alone, so some are still there at the crash.
      () => (chance(0.5) ? client.redrive({ agent: pick(['a', 'b']) }) : client.purge({ agent: pick(['a', 'b']) })),
    ];
    while (!stopped) {
      try {
        await pick(operations)();
        succeeded += 1;
      } catch {
        // A refused call (an expired receipt, say) is part of the mix; so are the failures once the server is killed.
      }
    }
  });
  return {
    get succeeded() {
      return succeeded;
    },
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe('SqliteMessageStore queue counters after a crash', () => {
  test('equal a full recount when the bus was killed with SIGKILL in the middle of a mixed load', async () => {
    const path = freshDatabasePath();
    const bus = await spawnBus(['--db', path]);
    cleanups.push(() => {
      if (bus.child.exitCode === null && bus.child.signalCode === null) bus.child.kill('SIGKILL');
    });
    const load = mixedLoad(bus.url, 8);
    const started = Date.now();
    // Enough calls, and enough sweeps (one a second) to have expired leases and TTLs on the way.
    while (load.succeeded < 1500 || Date.now() - started < 3500) await new Promise((r) => setTimeout(r, 20));
    bus.child.kill('SIGKILL');
    expect(await bus.exited).toBe('SIGKILL');
    await load.stop();

    const now = Date.now();
    const store = new SqliteMessageStore({ path, now: () => now });
    cleanups.push(() => store.close());
    const db = openRaw(path);
    cleanups.push(() => db.close());
    // The load left messages in several states: a recount of an empty queue would prove nothing.
    const states = db.prepare('SELECT DISTINCT state FROM messages ORDER BY state').pluck().all();
    expect(states).toEqual(['dead', 'in_flight', 'ready']);
    await expectCountersMatchRecount(store, db, now, 'reopened after SIGKILL');
    await store.sweep();
    await expectCountersMatchRecount(store, db, now, 'after the first sweep');
    expect(readQueueCounts(db).length).toBeGreaterThan(0);
  }, 120_000);
});
