import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busRoutes, ErrorEnvelope, QueueStats } from '@fleet/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningBusServer, startBusServer } from '../src/server.ts';

// Protocol-level failures that a typed client cannot even produce (malformed JSON, oversized bodies,
// unknown routes) are sent with plain fetch; everything else is covered through BusClient.
const dir = mkdtempSync(join(tmpdir(), 'fleet-bus-http-'));
let bus: RunningBusServer;

beforeAll(async () => {
  bus = await startBusServer({ port: 0, db: join(dir, 'bus.db'), bodyLimitBytes: 64 * 1024 });
});
afterAll(async () => {
  await bus.close();
  rmSync(dir, { recursive: true, force: true });
});

async function request(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${bus.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as unknown) : undefined };
}

async function errorOf(method: string, path: string, body?: string) {
  const { status, json } = await request(method, path, body);
  return { status, error: ErrorEnvelope.parse(json).error };
}

async function totalMessages() {
  const stats = QueueStats.parse((await request('GET', '/queue')).json);
  return stats.totals.ready + stats.totals.delayed + stats.totals.inFlight + stats.totals.dead;
}

describe('bad requests get the error envelope and change nothing stored', () => {
  test('malformed JSON is invalid_json', async () => {
    const before = await totalMessages();
    expect(await errorOf('POST', '/message', '{"from": "a", "to": ')).toMatchObject({
      status: 400,
      error: { code: 'invalid_json' },
    });
    expect(await totalMessages()).toBe(before);
  });

  test('a missing field is validation_failed naming the field', async () => {
    const { status, error } = await errorOf('POST', '/message', JSON.stringify({ to: 'b' }));
    expect(status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain('from');
    expect(error.details).toMatchObject({ issues: [expect.objectContaining({ field: 'from' })] });
  });

  test('a wrong-typed field in the 3rd message of a batch names messages.2 and stores none of the batch', async () => {
    const before = await totalMessages();
    const messages = [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
      { from: 'a', to: 'd', priority: 'high' },
    ];
    const { status, error } = await errorOf('POST', '/messages/batch', JSON.stringify({ messages }));
    expect(status).toBe(400);
    expect(error.details).toMatchObject({ issues: [expect.objectContaining({ field: 'messages.2.priority' })] });
    expect(await totalMessages()).toBe(before);
  });

  test.each([
    ['/deadletter?limit=abc', 'limit', 'expected an integer, got "abc"'],
    ['/audit?limit=1.5', 'limit', 'expected an integer, got "1.5"'],
    ['/messages?to=a&limit=', 'limit', 'expected an integer, got ""'],
    ['/deadletter?limit=9000', 'limit', 'must be at most 500, got 9000'],
  ])(
    'a numeric query parameter that is not one (%s) names the field and the text received',
    async (path, field, message) => {
      const { status, error } = await errorOf('GET', path);
      expect(status).toBe(400);
      expect(error).toMatchObject({
        code: 'validation_failed',
        message: `${field}: ${message}`,
        details: { issues: [{ field, message, code: expect.any(String) }] },
      });
    },
  );

  test('an unknown field is rejected rather than ignored (typos do not pass silently)', async () => {
    const { status, error } = await errorOf('POST', '/message', JSON.stringify({ from: 'a', to: 'b', ttl: 5 }));
    expect(status).toBe(400);
    expect(JSON.stringify(error.details)).toContain('ttl');
  });

  test('a body over the limit is payload_too_large (413)', async () => {
    const before = await totalMessages();
    const body = JSON.stringify({ from: 'a', to: 'b', payload: 'x'.repeat(100 * 1024) });
    expect(await errorOf('POST', '/message', body)).toMatchObject({
      status: 413,
      error: { code: 'payload_too_large' },
    });
    expect(await totalMessages()).toBe(before);
  });

  test('an unknown route is route_not_found', async () => {
    expect(await errorOf('GET', '/nope')).toMatchObject({ status: 404, error: { code: 'route_not_found' } });
  });

  test('an unknown receipt is receipt_unknown and an expired one receipt_expired', async () => {
    expect(await errorOf('POST', '/ack', JSON.stringify({ receipts: ['nope~nope'] }))).toMatchObject({
      status: 404,
      error: { code: 'receipt_unknown' },
    });
    await request('POST', '/message', JSON.stringify({ from: 'a', to: 'short-lease' }));
    const leased = await request('POST', '/receive', JSON.stringify({ agent: 'short-lease', leaseSeconds: 0.05 }));
    const receipt = (leased.json as { deliveries: Array<{ receipt: string }> }).deliveries[0]?.receipt;
    expect(receipt).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const { status, error } = await errorOf('POST', '/ack', JSON.stringify({ receipts: [receipt] }));
    expect({ status, code: error.code }).toEqual({ status: 410, code: 'receipt_expired' });
    expect(error.details).toMatchObject({ field: 'receipts.0' });
  });
});

describe('the bus server', () => {
  test('/openapi.json documents every bus route and the common ones', async () => {
    const doc = (await request('GET', '/openapi.json')).json as { openapi: string; paths: Record<string, object> };
    expect(doc.openapi).toMatch(/^3\.1/);
    for (const route of Object.values(busRoutes)) {
      const path = route.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[path], path).toHaveProperty(route.method.toLowerCase());
    }
    for (const path of ['/health', '/metrics', '/openapi.json']) expect(doc.paths).toHaveProperty(path);
  });

  test('/metrics reports queue depth per recipient in Prometheus format', async () => {
    await request('POST', '/message', JSON.stringify({ from: 'a', to: 'metrics-agent' }));
    const response = await fetch(`${bus.url}/metrics`);
    const text = await response.text();
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(text).toMatch(/fleet_bus_ready_messages\{agent="metrics-agent"\} 1/);
    expect(text).toContain('fleet_http_requests_total');
  });

  test('HEAD on the poll route answers without consuming any message', async () => {
    await request('POST', '/message', JSON.stringify({ from: 'a', to: 'head-poller', payload: 'keep me' }));
    const head = await fetch(`${bus.url}/messages?to=head-poller`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const get = await fetch(`${bus.url}/messages?to=head-poller`);
    // HEAD carries the headers GET would.
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(await get.json()).toMatchObject({ count: 1, messages: [{ payload: 'keep me' }] });
  });

  test('a long-polling receive returns a message sent while it waits', async () => {
    const waiting = request('POST', '/receive', JSON.stringify({ agent: 'long-poller', waitSeconds: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await request('POST', '/message', JSON.stringify({ from: 'a', to: 'long-poller', payload: 'late' }));
    const { json } = await waiting;
    expect(json).toMatchObject({ count: 1, deliveries: [{ message: { payload: 'late' } }] });
  });

  test('with tokens, writes need one and /health does not', async () => {
    const secured = await startBusServer({ port: 0, db: ':memory:', tokens: ['s3cret'] });
    try {
      const denied = await fetch(`${secured.url}/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'a', to: 'b' }),
      });
      expect(denied.status).toBe(401);
      expect(ErrorEnvelope.parse(await denied.json()).error.code).toBe('unauthorized');
      expect((await fetch(`${secured.url}/health`)).status).toBe(200);
      const allowed = await fetch(`${secured.url}/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer s3cret' },
        body: JSON.stringify({ from: 'a', to: 'b' }),
      });
      expect(allowed.status).toBe(201);
    } finally {
      await secured.close();
    }
  });

  test('refuses to listen beyond loopback without tokens unless insecure', async () => {
    await expect(startBusServer({ host: '0.0.0.0', port: 0, db: ':memory:' })).rejects.toThrow(/insecure|token/i);
    const open = await startBusServer({ host: '0.0.0.0', port: 0, db: ':memory:', insecure: true });
    await open.close();
  });
});
