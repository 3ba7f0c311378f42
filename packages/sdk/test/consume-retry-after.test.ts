import { describe, expect, test } from 'vitest';
import { BusClient, consume, FleetHttpError } from '../src/index.ts';
import { started } from './client/_host.ts';

// A bus answering `POST /receive` with 503 (its database away) or 429 and a `Retry-After` is asked
// again once that wait is over, not after consume's own backoff (here 10 ms); the wait still ends
// at once when the consumer stops.

const UNAVAILABLE = JSON.stringify({ error: { code: 'unavailable', message: 'database away' } });
const EMPTY = JSON.stringify({ deliveries: [], count: 0 });

/** A server refusing the first receive with `status` and `Retry-After: <retryAfter>`, then answering empty. */
async function refusingOnce(status: number, retryAfter: string) {
  const asked: number[] = [];
  const server = await started((res) => {
    asked.push(Date.now());
    if (asked.length === 1) {
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': retryAfter }).end(UNAVAILABLE);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' }).end(EMPTY);
    }
  });
  return { url: server.url, asked };
}

describe('consume: Retry-After on POST /receive', () => {
  test.each([503, 429])(
    'a %i with Retry-After: 1 is asked again after a second, not after the backoff',
    async (status) => {
      const server = await refusingOnce(status, '1');
      const controller = new AbortController();
      const reported: unknown[] = [];
      const loop = consume(new BusClient({ url: server.url, retry: 0 }), 'worker', () => undefined, {
        signal: controller.signal,
        waitSeconds: 0,
        idleDelayMs: 5000,
        retryDelayMs: 10,
        onError: (error) => reported.push(error),
      });
      await expect.poll(() => server.asked.length, { timeout: 3000 }).toBe(2);
      controller.abort();
      await loop;
      const [first, second] = server.asked as [number, number];
      expect(second - first).toBeGreaterThanOrEqual(950);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBeInstanceOf(FleetHttpError);
      expect(reported[0]).toMatchObject({ status, retryAfterMs: 1000 });
    },
  );

  test('a stop during a long Retry-After wait ends the loop at once', { timeout: 5000 }, async () => {
    const server = await refusingOnce(503, '3600');
    const controller = new AbortController();
    let reported = 0;
    const loop = consume(new BusClient({ url: server.url, retry: 0 }), 'worker', () => undefined, {
      signal: controller.signal,
      retryDelayMs: 10,
      onError: () => {
        reported += 1;
      },
    });
    await expect.poll(() => reported).toBe(1);
    const stoppedAt = Date.now();
    controller.abort();
    await loop;
    expect(Date.now() - stoppedAt).toBeLessThan(500);
    expect(server.asked).toHaveLength(1);
  });

  test("the client's FleetHttpError carries the wait the server asked for, from seconds or a date", async () => {
    const inSeconds = await refusingOnce(503, '7');
    const error = await new BusClient({ url: inSeconds.url, retry: 0 })
      .receive({ agent: 'worker' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', retryAfterMs: 7000 });

    const atDate = await refusingOnce(429, new Date(Date.now() + 60_000).toUTCString());
    const later = await new BusClient({ url: atDate.url, retry: 0 })
      .receive({ agent: 'worker' })
      .catch((e: unknown) => e);
    expect((later as FleetHttpError).retryAfterMs).toBeGreaterThan(55_000);
    expect((later as FleetHttpError).retryAfterMs).toBeLessThanOrEqual(60_000);
  });
});
