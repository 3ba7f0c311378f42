import { describe, expect, test } from 'vitest';
import type { FleetMonitor } from '../../src/monitor/fleet-monitor.ts';
import type { StateTransition } from '../../src/schemas/monitor.ts';
import { freshDbPath, openMonitor, refusedUrl, startTarget, T0, targetFor, testClock } from './_monitor.ts';

/** Records every transition of a monitor as `from->to`. */
function watchTransitions(monitor: FleetMonitor): { seen: string[]; all: StateTransition[] } {
  const all: StateTransition[] = [];
  const seen: string[] = [];
  monitor.onTransition((transition) => {
    all.push(transition);
    seen.push(`${transition.from}->${transition.to}`);
  });
  return { seen, all };
}

describe('FleetMonitor: states from real HTTP targets', () => {
  test('a healthy target goes from unknown to up on its first probe', async () => {
    const server = await startTarget();
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())], now: clock.now });
    expect(monitor.status('api')?.state).toBe('unknown');

    const [result] = await monitor.probeNow();
    expect(result).toMatchObject({ target: 'api', ok: true, status: 200, error: null, at: new Date(T0).toISOString() });
    expect(monitor.status('api')).toMatchObject({ state: 'up', since: new Date(T0).toISOString(), lastError: null });
  });

  test('goes down only after failureThreshold failed probes in a row, and says why', async () => {
    const server = await startTarget();
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url(), { failureThreshold: 3 })], now: clock.now });
    const { seen, all } = watchTransitions(monitor);
    await monitor.probeNow();

    server.set('/health', { status: 503, body: { status: 'down' } });
    for (let probe = 1; probe <= 2; probe++) {
      clock.advance(10_000);
      const [result] = await monitor.probeNow();
      expect(result).toMatchObject({ ok: false, status: 503, error: '[STATUS] == 200: got 503' });
      expect(monitor.status('api')?.state).toBe('up');
    }
    clock.advance(10_000);
    await monitor.probeNow();
    expect(monitor.status('api')).toMatchObject({ state: 'down', lastError: '[STATUS] == 200: got 503' });
    expect(seen).toEqual(['unknown->up', 'up->down']);
    expect(all[1]).toMatchObject({ reason: '3 failed probes in a row: [STATUS] == 200: got 503' });
  });

  test('a good probe between failures starts the count over', async () => {
    const server = await startTarget();
    const monitor = openMonitor({ targets: [targetFor('api', server.url(), { failureThreshold: 2 })] });
    await monitor.probeNow();
    server.set('/health', { status: 500 });
    await monitor.probeNow();
    server.set('/health', {});
    await monitor.probeNow();
    server.set('/health', { status: 500 });
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('up');
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('down');
  });

  test('recovers through degraded: up again only after successThreshold good probes in a row', async () => {
    const server = await startTarget();
    const monitor = openMonitor({
      targets: [targetFor('api', server.url(), { failureThreshold: 1, successThreshold: 3 })],
    });
    const { seen, all } = watchTransitions(monitor);
    server.set('/health', { status: 500 });
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('down');

    server.set('/health', {});
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('degraded');
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('degraded');
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('up');
    expect(seen).toEqual(['unknown->down', 'down->degraded', 'degraded->up']);
    expect(all.map((transition) => transition.reason)).toEqual([
      '1 failed probe in a row: [STATUS] == 200: got 500',
      'recovering: 1 of 3 good probes',
      '3 good probes in a row',
    ]);
  });

  test('a target recovering when the monitor restarts still needs successThreshold good probes to be up', async () => {
    const server = await startTarget();
    const clock = testClock();
    const options = {
      targets: [targetFor('api', server.url(), { failureThreshold: 1, successThreshold: 3 })],
      dbPath: freshDbPath(),
      now: clock.now,
    };
    const monitor = openMonitor(options);
    server.set('/health', { status: 500 });
    await monitor.probeNow();
    server.set('/health', {});
    clock.advance(10_000);
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('degraded');
    monitor.close();

    // Back within the interval: no gap, the state holds, and so does the way back from down.
    clock.advance(1000);
    const restarted = openMonitor(options);
    const { seen } = watchTransitions(restarted);
    for (const expected of ['degraded', 'degraded', 'up']) {
      clock.advance(10_000);
      await restarted.probeNow();
      expect(restarted.status('api')?.state).toBe(expected);
    }
    expect(seen).toEqual(['degraded->up']);
  });

  test('a failure while recovering needs the full successThreshold again', async () => {
    const server = await startTarget();
    const monitor = openMonitor({
      targets: [targetFor('api', server.url(), { failureThreshold: 2, successThreshold: 2 })],
    });
    server.set('/health', { status: 500 });
    await monitor.probeNow();
    await monitor.probeNow();
    server.set('/health', {});
    await monitor.probeNow();
    server.set('/health', { status: 500 });
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('degraded');
    server.set('/health', {});
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('degraded');
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('up');
  });

  test('a slow answer (a failed [RESPONSE_TIME] condition) is degraded, not a failure', async () => {
    const server = await startTarget();
    const clock = testClock();
    const monitor = openMonitor({
      targets: [
        targetFor('api', server.url(), {
          failureThreshold: 1,
          conditions: ['[STATUS] == 200', '[RESPONSE_TIME] < 300'],
        }),
      ],
      now: clock.now,
    });
    const { all } = watchTransitions(monitor);
    // The server moves the monitor's clock while answering: a 500 ms answer without waiting for it.
    server.set('/health', { before: () => clock.advance(500) });
    const [slow] = await monitor.probeNow();
    expect(slow).toMatchObject({
      ok: false,
      status: 200,
      responseTimeMs: 500,
      error: '[RESPONSE_TIME] < 300: got 500',
    });
    expect(monitor.status('api')?.state).toBe('degraded');
    expect(all.at(-1)?.reason).toBe('[RESPONSE_TIME] < 300: got 500');

    server.set('/health', {});
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('up');
  });

  test('slowThresholdMs makes a correct but slow answer degraded', async () => {
    const server = await startTarget();
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())], now: clock.now, slowThresholdMs: 1000 });
    const { all } = watchTransitions(monitor);
    server.set('/health', { before: () => clock.advance(1500) });
    const [result] = await monitor.probeNow();
    expect(result).toMatchObject({ ok: true, error: null });
    expect(monitor.status('api')?.state).toBe('degraded');
    expect(all.at(-1)?.reason).toBe('slower than 1000 ms: took 1500 ms');
  });

  test('a slow answer whose status is wrong too is a failure', async () => {
    const server = await startTarget();
    const clock = testClock();
    const monitor = openMonitor({
      targets: [
        targetFor('api', server.url(), {
          failureThreshold: 1,
          conditions: ['[RESPONSE_TIME] < 300', '[STATUS] == 200'],
        }),
      ],
      now: clock.now,
    });
    server.set('/health', { status: 502, before: () => clock.advance(500) });
    const [result] = await monitor.probeNow();
    // The reported error is the condition that makes it a failure, not the slowness.
    expect(result?.error).toBe('[STATUS] == 200: got 502');
    expect(monitor.status('api')?.state).toBe('down');
  });

  test('body conditions read the JSON answer', async () => {
    const server = await startTarget();
    const monitor = openMonitor({
      targets: [
        targetFor('ollama', server.url('/api/tags'), {
          kind: 'ollama',
          failureThreshold: 1,
          conditions: ['[STATUS] == 200', '[BODY].models.length > 0'],
        }),
      ],
    });
    server.set('/api/tags', { body: { models: [] } });
    const [empty] = await monitor.probeNow();
    expect(empty).toMatchObject({ ok: false, error: '[BODY].models.length > 0: got 0' });
    server.set('/api/tags', { body: { models: [{ name: 'llama3' }] } });
    const [listed] = await monitor.probeNow();
    expect(listed).toMatchObject({ ok: true, error: null });
  });

  test('a body larger than maxBodyBytes fails body conditions without being buffered', async () => {
    const server = await startTarget();
    const monitor = openMonitor({
      targets: [targetFor('api', server.url(), { conditions: ['[STATUS] == 200', '[BODY].status == ok'] })],
      maxBodyBytes: 1024,
    });
    server.set('/health', { body: { status: 'ok', padding: 'x'.repeat(5000) } });
    const [result] = await monitor.probeNow();
    expect(result).toMatchObject({ ok: false, status: 200, error: '[BODY].status == ok: body larger than 1024 bytes' });
  });

  test('a refused connection and a timeout fail with the reason', async () => {
    const server = await startTarget();
    server.set('/health', { hang: true });
    const monitor = openMonitor({
      targets: [
        targetFor('gone', await refusedUrl()),
        targetFor('stuck', server.url(), { intervalMs: 1000, timeoutMs: 5000 }),
      ],
    });
    const [gone, stuck] = await monitor.probeNow();
    expect(gone).toMatchObject({ ok: false, status: null, error: 'connection refused' });
    // The timeout is capped at half the interval.
    expect(stuck).toMatchObject({ ok: false, status: null, error: 'timed out after 500 ms' });
  });

  test('the target headers are sent with the probe', async () => {
    const server = await startTarget();
    const monitor = openMonitor({
      targets: [targetFor('api', server.url(), { headers: { authorization: 'Bearer s3cret' } })],
    });
    await monitor.probeNow();
    expect(server.requests[0]?.headers.authorization).toBe('Bearer s3cret');
  });

  test('a quick restart on the same database keeps the state, its start and the last check', async () => {
    const server = await startTarget();
    const clock = testClock();
    const dbPath = freshDbPath();
    const targets = [targetFor('api', server.url(), { failureThreshold: 1 })];
    const first = openMonitor({ targets, now: clock.now, dbPath });
    server.set('/health', { status: 500 });
    await first.probeNow();
    first.close();

    // Within two intervals and a timeout (10 s, 2 s) of the last probe: no probe was missed.
    clock.advance(20_000);
    const second = openMonitor({ targets, now: clock.now, dbPath });
    expect(second.status('api')).toMatchObject({
      state: 'down',
      since: new Date(T0).toISOString(),
      lastCheckAt: new Date(T0).toISOString(),
    });
    server.set('/health', {});
    await second.probeNow();
    // Still needs successThreshold good probes: it was down before the restart.
    expect(second.status('api')?.state).toBe('degraded');
  });
});
