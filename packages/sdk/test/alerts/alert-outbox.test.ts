import { describe, expect, test } from 'vitest';
import { AlertOutbox, type AlertOutboxOptions } from '../../src/alerts/alert-outbox.ts';
import {
  freshDbPath,
  downMessage as message,
  onCleanup,
  startAlertReceiver,
  T0,
  testChannel,
  testClock,
} from './_alerting.ts';

function openOutbox(options: Omit<AlertOutboxOptions, 'random'>): AlertOutbox {
  // random 1: each retry waits the full backoff ceiling, so the test knows when it is due.
  const outbox = new AlertOutbox({ random: () => 1, ...options });
  onCleanup(() => outbox.close());
  return outbox;
}

describe('AlertOutbox', () => {
  test('a receiver answering 500 then 200 gets the alert again after the backoff, and it is logged sent', async () => {
    const receiver = await startAlertReceiver();
    receiver.statuses.push(500);
    const clock = testClock();
    const outbox = openOutbox({
      dbPath: freshDbPath(),
      channels: { ops: testChannel('ops', receiver.url) },
      now: clock.now,
      baseDelayMs: 1000,
    });
    outbox.enqueue(message('a1'), ['ops']);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(outbox.recent()).toMatchObject([{ status: 'pending', attempts: 1, error: 'http_error: answered 500' }]);
    clock.advance(999);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    clock.advance(1);
    expect(await outbox.deliverDue()).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(receiver.received.map((m) => m.id)).toEqual(['a1', 'a1']);
    expect(receiver.accepted.map((m) => m.id)).toEqual(['a1']);
    expect(outbox.recent()).toMatchObject([
      { channel: 'ops', status: 'sent', attempts: 2, error: null, finishedAt: new Date(T0 + 1000).toISOString() },
    ]);
  });

  test('retries back off exponentially and give up after maxAttempts, recorded as failed', async () => {
    const receiver = await startAlertReceiver();
    receiver.statuses.push(503, 503, 503);
    const clock = testClock();
    const outbox = openOutbox({
      dbPath: freshDbPath(),
      channels: { ops: testChannel('ops', receiver.url) },
      now: clock.now,
      baseDelayMs: 1000,
      maxAttempts: 3,
    });
    outbox.enqueue(message('a1'), ['ops']);
    await outbox.deliverDue();
    clock.advance(1000);
    await outbox.deliverDue();
    clock.advance(1999);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    clock.advance(1);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(receiver.received).toHaveLength(3);
    expect(outbox.recent()).toMatchObject([{ status: 'failed', attempts: 3, error: 'http_error: answered 503' }]);
  });

  test('a 400 is not retried: the delivery fails at once', async () => {
    const receiver = await startAlertReceiver();
    receiver.statuses.push(400);
    const clock = testClock();
    const outbox = openOutbox({
      dbPath: freshDbPath(),
      channels: { ops: testChannel('ops', receiver.url) },
      now: clock.now,
    });
    outbox.enqueue(message('a1'), ['ops']);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 1 });
    clock.advance(3_600_000);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    expect(outbox.recent()).toMatchObject([{ status: 'failed', attempts: 1, message: { id: 'a1' } }]);
  });

  test('an unknown channel fails without an attempt elsewhere; each channel gets its own delivery', async () => {
    const receiver = await startAlertReceiver();
    const clock = testClock();
    const outbox = openOutbox({
      dbPath: freshDbPath(),
      channels: { ops: testChannel('ops', receiver.url) },
      now: clock.now,
    });
    outbox.enqueue(message('a1'), ['ops', 'gone']);
    expect(await outbox.deliverDue()).toEqual({ sent: 1, retried: 0, failed: 1 });
    expect(
      outbox
        .recent()
        .map((d) => `${d.channel} ${d.status} ${d.error}`)
        .sort(),
    ).toEqual(['gone failed no channel named "gone"', 'ops sent null']);
  });

  test('a new outbox on the same file delivers what one that was never closed left pending', async () => {
    const receiver = await startAlertReceiver();
    const dbPath = freshDbPath();
    const channels = { ops: testChannel('ops', receiver.url) };
    const first = new AlertOutbox({ dbPath, channels });
    first.enqueue(message('a1'), ['ops']);
    first.enqueue(message('a2'), ['ops']);
    // The process dies before delivering anything: no close(), which could write what enqueue had
    // not committed. The handle is dropped as it is, and closed only once the test is over.
    onCleanup(() => first.close());
    expect(receiver.received).toEqual([]);

    const second = openOutbox({ dbPath, channels });
    expect(second.recent().map((d) => `${d.status} ${d.message.id}`)).toEqual(['pending a2', 'pending a1']);
    expect(await second.deliverDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(receiver.accepted.map((m) => m.id)).toEqual(['a1', 'a2']);
  });

  test('started, it delivers on its own, also a retry that comes due later', async () => {
    const receiver = await startAlertReceiver();
    receiver.statuses.push(502);
    const outbox = openOutbox({
      dbPath: freshDbPath(),
      channels: { ops: testChannel('ops', receiver.url) },
      baseDelayMs: 20,
    });
    outbox.start();
    outbox.enqueue(message('a1'), ['ops']);
    while (receiver.accepted.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(receiver.received.map((m) => m.id)).toEqual(['a1', 'a1']);
    while (outbox.recent()[0]?.status !== 'sent') await new Promise((resolve) => setTimeout(resolve, 5));
  });
});

describe('AlertOutbox silences', () => {
  test('stored silences survive a reopen, are listed until they end, and can be removed', () => {
    const clock = testClock();
    const dbPath = freshDbPath();
    const first = new AlertOutbox({ dbPath, channels: {}, now: clock.now });
    const at = (ms: number) => new Date(T0 + ms).toISOString();
    const short = first.addSilence({ hosts: ['ezra'], from: at(0), until: at(60_000), reason: 'reboot' });
    const long = first.addSilence({ groups: ['gpu'], from: at(0), until: at(3_600_000) });
    first.close();

    const second = openOutbox({ dbPath, channels: {}, now: clock.now });
    expect(second.silences()).toEqual([
      { id: short, hosts: ['ezra'], from: at(0), until: at(60_000), reason: 'reboot' },
      { id: long, groups: ['gpu'], from: at(0), until: at(3_600_000) },
    ]);
    clock.advance(60_000);
    expect(second.silences().map((silence) => silence.id)).toEqual([long]);
    expect(second.removeSilence(long)).toBe(true);
    expect(second.removeSilence(long)).toBe(false);
    expect(second.silences()).toEqual([]);
    expect(() => second.addSilence({ hosts: ['ezra'], from: 'soon', until: at(1) })).toThrow();
  });
});
