import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BusClient, FleetHttpError } from '../src/index.ts';
import { deferred, startTestBus, type TestBus } from './_bus-server.ts';

// A handler gets a signal besides the message and its delivery: aborted when the consumer stops, or
// when its lease is known lost, so a long task can give up instead of running on for nothing.

let bus: TestBus;
let client: BusClient;
let agents = 0;
const agent = (role: string) => `${role}-${++agents}`;

beforeAll(async () => {
  bus = await startTestBus();
  client = bus.client();
});
afterAll(() => bus.close());

/** Resolves with the signal's reason once it aborts. */
function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

describe('consume: the handler signal', () => {
  test('stopping the consumer aborts the running handler’s signal with the stop’s reason; what it throws then is nacked', async () => {
    const worker = agent('long-task');
    const [sent] = (await client.send({ from: 'p', to: worker })).messages;
    const controller = new AbortController();
    const started = deferred();
    let seen: unknown;
    const loop = client.consume(
      worker,
      async (_message, _delivery, context) => {
        started.resolve();
        seen = await aborted(context.signal);
        throw new Error('gave up: stopping');
      },
      { signal: controller.signal },
    );
    await started.promise;
    const reason = new Error('SIGTERM');
    controller.abort(reason);
    await loop;
    expect(seen).toBe(reason);
    const trail = await client.audit({ messageId: sent!.id });
    expect(trail.events.map((e) => e.event)).toEqual(['sent', 'delivered', 'nacked']);
    // Given back for the next worker at once, not after the backoff of a failure (its attempt counts).
    const [again] = (await client.receive({ agent: worker, limit: 1 })).deliveries;
    expect(again?.message.id).toBe(sent!.id);
  });

  test('a handler that never looks at the signal still finishes and is acked', async () => {
    const worker = agent('plain');
    const [sent] = (await client.send({ from: 'p', to: worker })).messages;
    const controller = new AbortController();
    await client.consume(
      worker,
      async () => {
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
      { signal: controller.signal },
    );
    const trail = await client.audit({ messageId: sent!.id });
    expect(trail.events.map((e) => e.event)).toEqual(['sent', 'delivered', 'acked']);
  });

  test('a lease known lost (an extension finds the receipt gone) aborts the handler’s signal with that answer', {
    timeout: 10_000,
  }, async () => {
    const worker = agent('lost-lease');
    await client.send({ from: 'p', to: worker });
    const controller = new AbortController();
    const reported: string[] = [];
    let seen: unknown;
    await client.consume(
      worker,
      async (_message, delivery, context) => {
        // Someone else gives the message back: the next extension finds its receipt unknown.
        await client.nack({ receipt: delivery.receipt, delaySeconds: 60 });
        seen = await aborted(context.signal);
        controller.abort();
      },
      { signal: controller.signal, leaseSeconds: 1.5, onError: (_error, context) => reported.push(context.operation) },
    );
    expect(seen).toBeInstanceOf(FleetHttpError);
    expect((seen as FleetHttpError).code).toMatch(/^receipt_(unknown|expired)$/);
    expect(reported).toContain('extend');
  });
});
