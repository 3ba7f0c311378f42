import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AlertOutbox, type AlertOutboxOptions } from '../../src/alerts/alert-outbox.ts';
import { ChannelSpec, createChannel } from '../../src/alerts/channel-spec.ts';
import { freshDbPath, downMessage as message, onCleanup, testClock } from './_alerting.ts';
import { type HttpReceiver, startHttpReceiver } from './_receivers.ts';

const HOUR = 3_600_000;
/** The longest Retry-After honoured. */
const CAP = 24 * HOUR;

let receiver: HttpReceiver;
beforeEach(async () => {
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

/** An outbox on a fresh file delivering to `receiver` through a real webhook channel, on `clock`. */
function openOutbox(clock: ReturnType<typeof testClock>, options: Partial<AlertOutboxOptions> = {}): AlertOutbox {
  const spec = ChannelSpec.parse({ type: 'webhook', url: `${receiver.url}/hooks/fleet` });
  const outbox = new AlertOutbox({
    dbPath: freshDbPath(),
    channels: { ops: createChannel('ops', spec) },
    now: clock.now,
    random: () => 1,
    ...options,
  });
  onCleanup(() => outbox.close());
  return outbox;
}

/** Answers 429 with `Retry-After: seconds` once, then 200. */
function rateLimitOnce(seconds: number): void {
  let answered = 0;
  receiver.answer(() => {
    answered += 1;
    return answered === 1
      ? { status: 429, body: 'slow down', headers: { 'retry-after': String(seconds) } }
      : { status: 200, body: '{}' };
  });
}

describe("a receiver's Retry-After longer than maxDelayMs", () => {
  test('holds the alert, and those queued after it, for the whole wait asked', async () => {
    rateLimitOnce(3600);
    const clock = testClock();
    const outbox = openOutbox(clock, { maxDelayMs: 300_000 });
    outbox.enqueue(message('a1'), ['ops']);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    outbox.enqueue(message('a2'), ['ops']);
    // Well past the backoff ceiling (5 min), still within the hour asked: nothing is sent.
    clock.advance(HOUR - 1);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(receiver.requests).toHaveLength(1);
    clock.advance(1);
    expect(await outbox.deliverDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(receiver.requests.map((request) => JSON.parse(request.body).id)).toEqual(['a1', 'a1', 'a2']);
  });

  test('a wait asked beyond the safety cap (24 h) is cut to it', async () => {
    rateLimitOnce(10 * 24 * 3600);
    const clock = testClock();
    const outbox = openOutbox(clock);
    outbox.enqueue(message('a1'), ['ops']);
    await outbox.deliverDue();
    clock.advance(CAP - 1);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    clock.advance(1);
    expect(await outbox.deliverDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
  });

  test('each refusal with a Retry-After is an attempt: a receiver that keeps refusing is given up at maxAttempts', async () => {
    receiver.answer({ status: 503, body: 'maintenance', headers: { 'retry-after': '7200' } });
    const clock = testClock();
    const outbox = openOutbox(clock, { maxAttempts: 2 });
    outbox.enqueue(message('a1'), ['ops']);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    clock.advance(2 * HOUR);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(outbox.recent()).toMatchObject([{ status: 'failed', attempts: 2 }]);
    expect(receiver.requests).toHaveLength(2);
  });
});
