import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorEnvelope, QueueStats, ReceiveResult } from '@fleet/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningBusServer, startBusServer } from '../src/server.ts';

// Text the bus keeps as such (a message's type and idempotency key, a nack's reason) reaches it as a
// JSON escape (`"\ud800"`). SQLite would read a lone surrogate back as U+FFFD three times, and
// PostgreSQL's driver writes one U+FFFD, so `k\ud800` and `k\udbff` would be one idempotency key.
const dir = mkdtempSync(join(tmpdir(), 'fleet-bus-well-formed-'));
let bus: RunningBusServer;

beforeAll(async () => {
  bus = await startBusServer({ port: 0, db: join(dir, 'bus.db') });
});
afterAll(async () => {
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${bus.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

async function refusal(path: string, body: unknown) {
  const { status, json } = await post(path, body);
  const { error } = ErrorEnvelope.parse(json);
  return {
    status,
    code: error.code,
    fields: (error.details as { issues: Array<{ field: string }> }).issues.map((issue) => issue.field),
  };
}

async function stored(): Promise<number> {
  const stats = QueueStats.parse(await (await fetch(`${bus.url}/queue`)).json());
  return stats.totals.ready + stats.totals.delayed + stats.totals.inFlight + stats.totals.dead;
}

describe('text with a lone surrogate is refused over HTTP, naming the field', () => {
  test.each([
    ['type', { type: 'task\ud800' }],
    ['type', { type: '\udc00' }],
    ['idempotencyKey', { idempotencyKey: 'k\ud800' }],
    ['idempotencyKey', { idempotencyKey: 'k\udbff' }],
  ])('POST /message with a lone surrogate in %s answers 400', async (field, patch) => {
    const before = await stored();
    expect(await refusal('/message', { from: 'a', to: 'b', ...patch })).toEqual({
      status: 400,
      code: 'validation_failed',
      fields: [field],
    });
    expect(await stored()).toBe(before);
  });

  test('POST /messages/batch names the send and stores none of the batch', async () => {
    const before = await stored();
    const messages = [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'b', idempotencyKey: 'k\udc00' },
    ];
    expect(await refusal('/messages/batch', { messages })).toEqual({
      status: 400,
      code: 'validation_failed',
      fields: ['messages.1.idempotencyKey'],
    });
    expect(await stored()).toBe(before);
  });

  test('POST /nack with a lone surrogate in reason answers 400 and leaves the lease', async () => {
    expect((await post('/message', { from: 'a', to: 'nacker', type: 'task😀' })).status).toBe(201);
    const received = ReceiveResult.parse((await post('/receive', { agent: 'nacker' })).json);
    const delivery = received.deliveries[0]!;
    expect(delivery.message.type).toBe('task😀');
    expect(await refusal('/nack', { receipt: delivery.receipt, reason: 'failed \ud800' })).toEqual({
      status: 400,
      code: 'validation_failed',
      fields: ['reason'],
    });
    expect((await post('/nack', { receipt: delivery.receipt, reason: 'failed 😀' })).status).toBe(200);
  });
});
