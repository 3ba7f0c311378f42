import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusClient, ErrorEnvelope, FleetError, MAX_SEND_COPIES_BYTES, QueueStats, SendResult } from '@fleet/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningBusServer, startBusServer } from '../src/server.ts';

// A send to a topic stores (and answers) one copy per subscriber: a payload within the body limit
// can still come to more than one send may store and answer. Such a send is refused before anything
// is stored; it used to be stored and then answered with more than a client reads (or, larger still,
// with 500), so a client retrying it stored it twice.
const SUBSCRIBERS = 130;
const dir = mkdtempSync(join(tmpdir(), 'fleet-bus-fan-out-'));
let bus: RunningBusServer;

beforeAll(async () => {
  bus = await startBusServer({ port: 0, db: join(dir, 'bus.db') });
  const client = new BusClient({ url: bus.url });
  for (let i = 0; i < SUBSCRIBERS; i += 1) await client.subscribe(`listener-${i}`, 'wide');
});
afterAll(async () => {
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(body: unknown) {
  const response = await fetch(`${bus.url}/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

async function stored(): Promise<number> {
  const stats = QueueStats.parse(await (await fetch(`${bus.url}/queue`)).json());
  return stats.totals.ready + stats.totals.delayed + stats.totals.inFlight + stats.totals.dead;
}

describe('a fan-out over the copies limit', () => {
  test('is 413 payload_too_large naming the payload, and stores nothing', async () => {
    // 130 copies of a 400 KB payload: 52 MB, over 48 MiB.
    const { status, json } = await post({ from: 'boss', topic: 'wide', payload: 'y'.repeat(400_000) });
    expect(status).toBe(413);
    const { error } = ErrorEnvelope.parse(json);
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toContain(`${SUBSCRIBERS} copies`);
    expect(error.details).toMatchObject({ issues: [{ field: 'payload' }] });
    expect(await stored()).toBe(0);
  });

  test('reaches a client as a FleetError with the same code, and a smaller one goes through', async () => {
    const client = new BusClient({ url: bus.url });
    const refused = await client.send({ from: 'boss', topic: 'wide', payload: 'y'.repeat(400_000) }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(FleetError);
    expect((refused as FleetError).code).toBe('payload_too_large');
    const { status, json } = await post({ from: 'boss', topic: 'wide', payload: 'y'.repeat(1_000) });
    expect(status).toBe(201);
    expect(SendResult.parse(json).count).toBe(SUBSCRIBERS);
    expect(await stored()).toBe(SUBSCRIBERS);
  });

  test('a fan-out just under the limit is stored, and its answer fits what a default client reads', async () => {
    const before = await stored();
    // Each copy's other fields take about 300 bytes: 600 fewer payload bytes per copy is under the limit.
    const payload = 'y'.repeat(Math.floor(MAX_SEND_COPIES_BYTES / SUBSCRIBERS) - 600);
    const sent = await new BusClient({ url: bus.url }).send({ from: 'boss', topic: 'wide', payload });
    expect(sent.count).toBe(SUBSCRIBERS);
    expect(await stored()).toBe(before + SUBSCRIBERS);
  });
});
