import { randomBytes } from 'node:crypto';
import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import { type SpawnedBus, spawnBus } from '@fleet/test-utils/spawn-bus';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

// Several `fleet-bus` processes on one PostgreSQL database (a throwaway cluster): wakeups across
// replicas, a replica killed mid-load, the database stopped and crashed mid-load.

interface Envelope {
  error: { code: string; message: string };
}
interface Delivery {
  receipt: string;
  message: { id: string; to: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function post(url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

async function send(bus: SpawnedBus, to: string, payload: unknown): Promise<string> {
  const response = await post(`${bus.url}/message`, { from: 'test', to, payload });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { messages: Array<{ id: string }> };
  return body.messages[0]!.id;
}

async function receive(bus: SpawnedBus, agent: string, limit: number, waitSeconds = 0): Promise<Delivery[]> {
  const response = await post(`${bus.url}/receive`, { agent, limit, leaseSeconds: 600, waitSeconds });
  expect(response.status).toBe(200);
  return ((await response.json()) as { deliveries: Delivery[] }).deliveries;
}

/** Retries `check` until it returns a value (the suite's timeout bounds the wait). */
async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(100);
  }
}

async function health(bus: SpawnedBus): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${bus.url}/health`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Sends from `workers` loops spread over `buses` until stopped; keeps the ids answered 201 and the 503 envelopes. */
function sendUnderLoad(buses: () => SpawnedBus[], workers: number, to: string) {
  const acknowledged = new Set<string>();
  const unavailable: Envelope[] = [];
  const otherFailures: string[] = [];
  let stopped = false;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let i = 0; !stopped; i++) {
      const targets = buses();
      const bus = targets[(worker + i) % targets.length]!;
      try {
        const response = await post(`${bus.url}/message`, { from: `sender-${worker}`, to, payload: { worker, i } });
        if (response.status === 201) {
          const body = (await response.json()) as { messages: Array<{ id: string }> };
          for (const message of body.messages) acknowledged.add(message.id);
        } else if (response.status === 503) {
          unavailable.push((await response.json()) as Envelope);
          await sleep(20);
        } else otherFailures.push(`${response.status} ${await response.text()}`);
      } catch {
        // A replica killed under the request: an answer that never came acknowledged nothing.
        await sleep(20);
      }
    }
  });
  return {
    acknowledged,
    unavailable,
    otherFailures,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Leases with a long lease (and acks half) from loops spread over `buses`; records every delivery. */
function consumeUnderLoad(buses: () => SpawnedBus[], workers: number, agent: string) {
  const delivered: string[] = [];
  const acked = new Set<string>();
  let stopped = false;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let i = 0; !stopped; i++) {
      const targets = buses();
      const bus = targets[(worker + i) % targets.length]!;
      try {
        const response = await post(`${bus.url}/receive`, { agent, limit: 10, leaseSeconds: 600 });
        if (response.status !== 200) {
          await sleep(20);
          continue;
        }
        const { deliveries } = (await response.json()) as { deliveries: Delivery[] };
        delivered.push(...deliveries.map((d) => d.message.id));
        const toAck = deliveries.filter((_, n) => n % 2 === 0);
        if (toAck.length === 0) continue;
        const ack = await post(`${bus.url}/ack`, { receipts: toAck.map((d) => d.receipt) });
        if (ack.status === 200) for (const d of toAck) acked.add(d.message.id);
      } catch {
        await sleep(20);
      }
    }
  });
  return {
    delivered,
    acked,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe.skipIf(!hasPostgres())('fleet-bus replicas on one PostgreSQL database', () => {
  let pg: TestPostgres;
  const running: SpawnedBus[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.stop());
  afterEach(async () => {
    for (const bus of running.splice(0)) {
      bus.child.kill('SIGKILL');
      await bus.exited;
    }
    if (!pg.running) await pg.start();
  });

  /** `n` replicas on a new database, with a password in the URL (trust authentication ignores it). */
  async function replicas(n: number): Promise<{ buses: SpawnedBus[]; password: string; database: string }> {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const database = `bus_${randomBytes(4).toString('hex')}`;
    await pg.createDatabase(database);
    const dbUrl = `postgres://postgres:${password}@127.0.0.1:${pg.port}/${database}`;
    const buses: SpawnedBus[] = [];
    for (let i = 0; i < n; i++) {
      const bus = await spawnBus(['--db', dbUrl]);
      running.push(bus);
      buses.push(bus);
    }
    // Each replica is listening for the others' sends before the test starts.
    for (const bus of buses)
      await eventually(
        async () => ((await health(bus)).body.details as { wakeups?: string })?.wakeups === 'notify' || undefined,
      );
    return { buses, password, database };
  }

  test('a message sent through one replica is long-polled through the other', async () => {
    const {
      buses: [a, b],
    } = await replicas(2);
    const waiting = receive(b!, 'worker-long-poll', 1, 20);
    await sleep(300); // the long poll is waiting on B (if not yet, it leases the message at once)
    const id = await send(a!, 'worker-long-poll', { n: 1 });
    const deliveries = await waiting;
    expect(deliveries.map((d) => d.message.id)).toEqual([id]);
    // Leased through B, acknowledged through A.
    const ack = await post(`${a!.url}/ack`, { receipts: [deliveries[0]!.receipt] });
    expect(ack.status).toBe(200);
    expect(await receive(b!, 'worker-long-poll', 1)).toEqual([]);
  });

  test('a replica on a host whose clock runs 3 s ahead neither redelivers nor refuses a lease that has not run out', async () => {
    const {
      buses: [a],
      password,
      database,
    } = await replicas(1);
    // Replica B's host clock is 3 s ahead of A's (and of the database server's).
    const ahead = `const now = Date.now; Date.now = () => now() + 3000;`;
    const b = await spawnBus(['--db', `postgres://postgres:${password}@127.0.0.1:${pg.port}/${database}`], {
      NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(ahead)}`,
    });
    running.push(b);
    const offset = await eventually(async () => (await health(b)).body.details as { clockOffsetMs?: number });
    expect(offset.clockOffsetMs).toBeGreaterThan(-3500);
    expect(offset.clockOffsetMs).toBeLessThan(-2500);

    const id = await send(a!, 'worker-skew', { n: 1 });
    const leased = await post(`${a!.url}/receive`, { agent: 'worker-skew', limit: 1, leaseSeconds: 5 });
    const [delivery] = ((await leased.json()) as { deliveries: Delivery[] }).deliveries;
    expect(delivery?.message.id).toBe(id);
    // 2.5 s into the 5 s lease: by B's host clock it ran out half a second ago.
    await sleep(2500);
    expect(await receive(b, 'worker-skew', 1)).toEqual([]);
    const ack = await post(`${b.url}/ack`, { receipts: [delivery!.receipt] });
    expect(ack.status).toBe(200);
  });

  test('the event stream on one replica carries a send through the other, once', async () => {
    const {
      buses: [a, b],
    } = await replicas(2);
    const controller = new AbortController();
    const response = await fetch(`${b!.url}/stream?agent=watcher`, { signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes(': connected')) text += (await reader.read()).value ?? '';
    const first = await send(a!, 'watcher', { n: 1 });
    const second = await send(b!, 'watcher', { n: 2 });
    while (!(text.includes(first) && text.includes(second))) text += (await reader.read()).value ?? '';
    controller.abort();
    const ids = [...text.matchAll(/"id":"([0-9a-f]{32})"/g)].map((m) => m[1]);
    expect(ids.filter((id) => id === first)).toHaveLength(1);
    expect(ids.filter((id) => id === second)).toHaveLength(1);
  });

  test('a replica killed with SIGKILL mid-load loses no acknowledged send and delivers nothing twice', async () => {
    const { buses, database } = await replicas(2);
    const [a, b] = buses as [SpawnedBus, SpawnedBus];
    let live = [a, b];
    const sends = sendUnderLoad(() => live, 12, 'crash-worker');
    const consumers = consumeUnderLoad(() => live, 4, 'crash-worker');
    await eventually(async () => (sends.acknowledged.size >= 1500 && consumers.delivered.length >= 300) || undefined);
    a.child.kill('SIGKILL');
    live = [b];
    expect(await a.exited).toBe('SIGKILL');
    const atKill = sends.acknowledged.size;
    await eventually(async () => sends.acknowledged.size >= atKill + 300 || undefined);
    await sends.stop();
    await consumers.stop();

    // Drain what is left through the survivor: leases run 600 s, so nothing leased comes back.
    const drained: string[] = [];
    for (;;) {
      const deliveries = await receive(b, 'crash-worker', 100);
      if (deliveries.length === 0) break;
      drained.push(...deliveries.map((d) => d.message.id));
    }
    const delivered = [...consumers.delivered, ...drained];
    expect(delivered.length - new Set(delivered).size).toBe(0);
    // Every acknowledged send was delivered, or is in flight under a lease whose answer died with A.
    const inFlight = new Set(
      (await pg.psql("SELECT id FROM messages WHERE state = 'in_flight'", database)).split('\n'),
    );
    const seen = new Set(delivered);
    const lost = [...sends.acknowledged].filter((id) => !seen.has(id) && !inFlight.has(id));
    expect(lost).toEqual([]);
    expect(sends.otherFailures).toEqual([]);
  });

  test.each(['stopped', 'killed'] as const)(
    'PostgreSQL %s and restarted mid-load: 503 with the envelope meanwhile, nothing acknowledged lost, service resumes',
    async (how) => {
      const { buses, password, database } = await replicas(2);
      const [a, b] = buses as [SpawnedBus, SpawnedBus];
      const sends = sendUnderLoad(() => buses, 8, 'outage-worker');
      await eventually(async () => sends.acknowledged.size >= 500 || undefined);
      if (how === 'stopped') await pg.stop();
      else await pg.kill();

      // Both replicas answer 503 `unavailable` (requests and /health) instead of hanging.
      for (const bus of buses) {
        const response = await post(`${bus.url}/message`, { from: 'probe', to: 'outage-worker', payload: 1 }).catch(
          (error: unknown) => {
            // A replica that died: say how, with what it printed (a CI run once saw ECONNREFUSED here).
            const { exitCode, signalCode } = bus.child;
            throw new Error(
              `replica ${bus.url} did not answer (exit ${exitCode ?? signalCode ?? 'none yet'}): ${bus.stderr().slice(-4000)}`,
              {
                cause: error,
              },
            );
          },
        );
        expect(response.status).toBe(503);
        expect(((await response.json()) as Envelope).error.code).toBe('unavailable');
        const down = await health(bus);
        expect(down.status).toBe(503);
        expect((down.body as unknown as Envelope).error.code).toBe('unavailable');
        expect(JSON.stringify(down.body)).not.toContain(password);
      }
      const beforeRestart = sends.acknowledged.size;
      await pg.start();

      // Service resumes on both replicas without restarting them, wakeups included.
      await eventually(async () => sends.acknowledged.size >= beforeRestart + 500 || undefined);
      for (const bus of buses) {
        await eventually(
          async () => ((await health(bus)).body.details as { wakeups?: string })?.wakeups === 'notify' || undefined,
        );
      }
      const waiting = receive(b, 'after-outage', 1, 20);
      await sleep(300);
      const id = await send(a, 'after-outage', 'back');
      expect((await waiting).map((d) => d.message.id)).toEqual([id]);

      await sends.stop();
      expect(sends.unavailable.length).toBeGreaterThan(0);
      expect(sends.unavailable.every((envelope) => envelope.error.code === 'unavailable')).toBe(true);
      expect(sends.otherFailures).toEqual([]);
      const stored = new Set((await pg.psql('SELECT id FROM messages', database)).split('\n'));
      expect([...sends.acknowledged].filter((id) => !stored.has(id))).toEqual([]);
      for (const bus of buses) expect(bus.stdout() + bus.stderr()).not.toContain(password);
    },
  );
});
