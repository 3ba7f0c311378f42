import { describe, expect, test } from 'vitest';
import type { AlertMessage } from '../../src/alerts/alert-message.ts';
import { AlertOutbox, type AlertOutboxOptions } from '../../src/alerts/alert-outbox.ts';
import { ChannelSpec, createChannel } from '../../src/alerts/channel-spec.ts';
import { refusedUrl, startTarget, until } from '../monitor/_monitor.ts';
import {
  freshDbPath,
  downMessage as message,
  onCleanup,
  startAlertReceiver,
  testChannel,
  testClock,
} from './_alerting.ts';
import { startHttpReceiver } from './_receivers.ts';

function openOutbox(options: AlertOutboxOptions): AlertOutbox {
  const outbox = new AlertOutbox(options);
  onCleanup(() => outbox.close());
  return outbox;
}

/** A webhook channel (the real one) to `url`. */
function webhook(name: string, url: string) {
  return createChannel(name, ChannelSpec.parse({ type: 'webhook', url }));
}

/** A `recovered` alert named `id` about the target of {@link message}. */
function recovered(id: string): AlertMessage {
  return { ...message(id), kind: 'recovered', severity: 'info', title: '[fleet] api is back up on a' };
}

/** A real server whose alerts endpoint takes requests and never answers. */
async function blackHole() {
  const server = await startTarget();
  server.set('/alerts', { hang: true });
  return server;
}

/** Each delivery to `channel`, oldest first: `id status attempts`. */
function deliveries(outbox: AlertOutbox, channel: string): string[] {
  return outbox
    .recent()
    .filter((d) => d.channel === channel)
    .reverse()
    .map((d) => `${d.message.id} ${d.status} ${d.attempts}`);
}

describe('AlertOutbox channels are independent', () => {
  test('an alert to a working channel is delivered while a channel that never answers still holds its deliveries', async () => {
    const dead = await blackHole();
    const phone = await startAlertReceiver();
    const outbox = openOutbox({
      dbPath: freshDbPath(),
      channels: { slack: webhook('slack', dead.url('/alerts')), phone: testChannel('phone', phone.url) },
      timeoutMs: 300,
      // A deferred delivery is not due again within the test.
      baseDelayMs: 3_600_000,
      random: () => 1,
    });
    outbox.start();
    for (const id of ['a1', 'a2', 'a3']) outbox.enqueue(message(id), ['slack', 'phone']);
    await until(() => phone.accepted.length === 3 && dead.requests.length === 1);

    let deadRequestsWhenA4Arrived = -1;
    let slackWhenA4Arrived: string[] = [];
    outbox.enqueue(message('a4'), ['phone']);
    await until(() => {
      if (phone.accepted.length < 4) return false;
      deadRequestsWhenA4Arrived = dead.requests.length;
      slackWhenA4Arrived = deliveries(outbox, 'slack');
      return true;
    });
    expect(phone.accepted.map((m) => m.id)).toEqual(['a1', 'a2', 'a3', 'a4']);
    // The black hole was asked once, and a2 and a3 were not tried one timeout after another.
    expect(deadRequestsWhenA4Arrived).toBe(1);
    expect(slackWhenA4Arrived.slice(1)).toEqual(['a2 pending 0', 'a3 pending 0']);
    expect(slackWhenA4Arrived[0]).toMatch(/^a1 pending [01]$/);
  });

  test.each([
    ['a receiver that never answers', async () => (await blackHole()).url('/alerts')],
    ['a refused connection', () => refusedUrl()],
  ])(
    'after %s, the channel’s other due deliveries wait for its retry instead of failing one by one',
    async (_, deadUrl) => {
      const url = await deadUrl();
      const phone = await startAlertReceiver();
      const clock = testClock();
      const outbox = openOutbox({
        dbPath: freshDbPath(),
        channels: { slack: webhook('slack', url), phone: testChannel('phone', phone.url) },
        now: clock.now,
        timeoutMs: 200,
        baseDelayMs: 1000,
        random: () => 1,
      });
      for (const id of ['a1', 'a2', 'a3']) outbox.enqueue(message(id), ['slack', 'phone']);
      expect(await outbox.deliverDue()).toEqual({ sent: 3, retried: 1, failed: 0 });
      expect(deliveries(outbox, 'slack')).toEqual(['a1 pending 1', 'a2 pending 0', 'a3 pending 0']);
      expect(outbox.recent().find((d) => d.message.id === 'a1' && d.channel === 'slack')?.error).toMatch(
        /^(timeout|network): /,
      );
      clock.advance(999);
      expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
      clock.advance(1);
      expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
      expect(deliveries(outbox, 'slack')).toEqual(['a1 pending 2', 'a2 pending 0', 'a3 pending 0']);
    },
  );

  test('deliveries pushed back by a channel that did not answer are sent in their order once it answers', async () => {
    const dead = await blackHole();
    const clock = testClock();
    const outbox = openOutbox({
      dbPath: freshDbPath(),
      channels: { slack: webhook('slack', dead.url('/alerts')) },
      now: clock.now,
      timeoutMs: 200,
      baseDelayMs: 1000,
      random: () => 1,
    });
    for (const id of ['a1', 'a2', 'a3']) outbox.enqueue(message(id), ['slack']);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    dead.set('/alerts', {});
    clock.advance(1000);
    expect(await outbox.deliverDue()).toEqual({ sent: 3, retried: 0, failed: 0 });
    expect(deliveries(outbox, 'slack')).toEqual(['a1 sent 2', 'a2 sent 1', 'a3 sent 1']);
  });
});

describe('AlertOutbox delivers each channel in order', () => {
  test('a down answered 503 holds back the recovered behind it: the receiver accepts down, then recovered', async () => {
    const ops = await startAlertReceiver();
    ops.statuses.push(503);
    const clock = testClock();
    const outbox = openOutbox({
      dbPath: freshDbPath(),
      channels: { ops: webhook('ops', ops.url) },
      now: clock.now,
      baseDelayMs: 1000,
      random: () => 1,
    });
    outbox.enqueue(message('down-1'), ['ops']);
    outbox.enqueue(recovered('recovered-1'), ['ops']);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(deliveries(outbox, 'ops')).toEqual(['down-1 pending 1', 'recovered-1 pending 0']);
    clock.advance(1000);
    expect(await outbox.deliverDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(ops.accepted.map((m) => `${m.kind} ${m.id}`)).toEqual(['down down-1', 'recovered recovered-1']);
  });

  test('an alert queued while an older one waits for its retry waits behind it', async () => {
    const ops = await startAlertReceiver();
    ops.statuses.push(503);
    const clock = testClock();
    const outbox = openOutbox({
      dbPath: freshDbPath(),
      channels: { ops: webhook('ops', ops.url) },
      now: clock.now,
      baseDelayMs: 1000,
      random: () => 1,
    });
    outbox.enqueue(message('down-1'), ['ops']);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    clock.advance(500);
    outbox.enqueue(recovered('recovered-1'), ['ops']);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(ops.received.map((m) => m.id)).toEqual(['down-1']);
    clock.advance(500);
    expect(await outbox.deliverDue()).toEqual({ sent: 2, retried: 0, failed: 0 });
    expect(ops.accepted.map((m) => `${m.kind} ${m.id}`)).toEqual(['down down-1', 'recovered recovered-1']);
  });

  test("a 429's Retry-After holds the whole channel: its other deliveries spend no attempt meanwhile", async () => {
    const receiver = await startHttpReceiver();
    onCleanup(() => receiver.close());
    let refusals = 1;
    receiver.answer(() =>
      refusals-- > 0 ? { status: 429, headers: { 'retry-after': '60' } } : { status: 200, body: '{}' },
    );
    const clock = testClock();
    const outbox = openOutbox({
      dbPath: freshDbPath(),
      channels: { ops: webhook('ops', `${receiver.url}/alerts`) },
      now: clock.now,
      baseDelayMs: 1000,
      random: () => 1,
    });
    for (const id of ['a1', 'a2', 'a3']) outbox.enqueue(message(id), ['ops']);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(receiver.requests).toHaveLength(1);
    expect(deliveries(outbox, 'ops')).toEqual(['a1 pending 1', 'a2 pending 0', 'a3 pending 0']);
    clock.advance(59_999);
    expect(await outbox.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
    clock.advance(1);
    expect(await outbox.deliverDue()).toEqual({ sent: 3, retried: 0, failed: 0 });
    expect(receiver.requests.map((r) => (JSON.parse(r.body) as { id: string }).id)).toEqual(['a1', 'a1', 'a2', 'a3']);
  });

  test('a delivery given up (a 400) holds up nothing: the next one is sent in the same pass', async () => {
    const ops = await startAlertReceiver();
    ops.statuses.push(400);
    const outbox = openOutbox({ dbPath: freshDbPath(), channels: { ops: webhook('ops', ops.url) } });
    outbox.enqueue(message('a1'), ['ops']);
    outbox.enqueue(message('a2'), ['ops']);
    expect(await outbox.deliverDue()).toEqual({ sent: 1, retried: 0, failed: 1 });
    expect(deliveries(outbox, 'ops')).toEqual(['a1 failed 1', 'a2 sent 1']);
  });
});
