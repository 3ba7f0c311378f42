import { format } from 'node:util';
import { BusClient } from '@fleet/sdk';
import { openMessageStore } from '@fleet/sdk/stores';
import { afterEach, expect, test } from 'vitest';
import { createBusServer } from '../src/server.ts';

// Nothing listens on port 1: every connection attempt to this database is refused at once.
const UNREACHABLE = 'postgres://fleet@127.0.0.1:1/fleet';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A bus server over a PostgreSQL store that cannot connect, and every line it logs. */
async function busWithoutDatabase() {
  const lines: string[] = [];
  const log = (...args: unknown[]) => lines.push(format(...args));
  const server = createBusServer({
    store: openMessageStore(UNREACHABLE),
    logger: { info: log, warn: log, error: log },
  });
  const { url } = await server.listen({ port: 0 });
  closers.push(() => server.close());
  return { url, lines };
}

test('a sweep that fails because PostgreSQL is unreachable is logged once, in one line, with its cause', async () => {
  const { lines } = await busWithoutDatabase();
  await expect.poll(() => lines.length, { timeout: 10_000 }).toBeGreaterThan(0);
  expect(lines[0]).toMatch(
    /^sweep failed \(logged once until it works again\): .*unavailable.*\(connect ECONNREFUSED 127\.0\.0\.1:1\)$/,
  );
  // Logged once while it keeps failing (a sweep runs every second).
  await new Promise((resolve) => setTimeout(resolve, 2_200));
  expect(lines).toHaveLength(1);
});

test('requests answered 503 while PostgreSQL is away log one line, without a stack, not one each', async () => {
  const { url, lines } = await busWithoutDatabase();
  const send = () =>
    fetch(`${url}/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'a', to: 'b', payload: 1 }),
    });
  for (let i = 0; i < 20; i++) {
    const response = await send();
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unavailable');
  }
  const health = await fetch(`${url}/health`);
  expect(health.status).toBe(503);
  // Says why, as a request would, not only that it failed.
  expect(health.headers.get('retry-after')).toBe('1');
  expect(await health.json()).toEqual({
    error: { code: 'unavailable', message: expect.stringMatching(/^Health check failed: \S.*database/i) },
  });

  const answers = lines.filter((line) => !line.startsWith('sweep failed'));
  expect(answers).toEqual([
    expect.stringMatching(
      /^fleet-bus POST \/message failed with unavailable: .*\(connect ECONNREFUSED 127\.0\.0\.1:1\)$/,
    ),
  ]);
});

test('a 503 because PostgreSQL is away says when to ask again (Retry-After), which consume() then waits', async () => {
  const { url } = await busWithoutDatabase();
  const send = await fetch(`${url}/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: 'a', to: 'b', payload: 1 }),
  });
  expect(send.status).toBe(503);
  expect(send.headers.get('retry-after')).toBe('1');
  await send.body?.cancel();
  // Through h3 (a route with a path parameter) as well as straight from node:http.
  const deadLetter = await fetch(`${url}/deadletter/abc`);
  expect(deadLetter.status).toBe(503);
  expect(deadLetter.headers.get('retry-after')).toBe('1');
  await deadLetter.body?.cancel();

  const bus = new BusClient({ url });
  const error = await bus.receive({ agent: 'b' }).catch((caught: unknown) => caught);
  expect(error).toMatchObject({ status: 503, code: 'unavailable', retryAfterMs: 1000 });
});
