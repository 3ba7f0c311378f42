import { describe, expect, test } from 'vitest';
import { startAlertHeartbeat } from '../../src/alerts/alert-heartbeat.ts';
import { onCleanup, startHeartbeatReceiver } from './_alerting.ts';

describe('startAlertHeartbeat', () => {
  test.each([
    ['everyMs', { everyMs: 0 }, /everyMs must be a number of milliseconds of at least 1000, got 0/],
    ['everyMs', { everyMs: 999 }, /everyMs .* got 999/],
    ['everyMs', { everyMs: -60_000 }, /everyMs .* got -60000/],
    ['everyMs', { everyMs: Number.NaN }, /everyMs .* got NaN/],
    ['timeoutMs', { timeoutMs: 0 }, /timeoutMs must be a number of milliseconds of at least 1, got 0/],
    ['timeoutMs', { timeoutMs: Number.POSITIVE_INFINITY }, /timeoutMs .* got Infinity/],
  ])('refuses a bad %s (%o) before calling anything', async (_name, options, message) => {
    const receiver = await startHeartbeatReceiver();
    expect(() => startAlertHeartbeat({ url: receiver.url, ...options })).toThrow(message);
    // A heartbeat that had started would have called at once: give such a call time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.calls()).toBe(0);
  });

  test('the shortest allowed period calls at once, then once a period', async () => {
    const receiver = await startHeartbeatReceiver();
    const heartbeat = startAlertHeartbeat({ url: receiver.url, everyMs: 1000 });
    onCleanup(() => heartbeat.stop());
    while (receiver.calls() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // One call at start; the next comes a second later.
    expect(receiver.calls()).toBe(1);
  });
});
