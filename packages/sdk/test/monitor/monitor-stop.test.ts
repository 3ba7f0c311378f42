import { type HungServer, startHungServer } from '@fleet/test-utils/hung-server';
import { afterEach, describe, expect, test } from 'vitest';
import type { ProbeResult, StateTransition } from '../../src/schemas/monitor.ts';
import { onCleanup, openMonitor, startTarget, targetFor, until } from './_monitor.ts';

/** Far longer than any test here may run: a probe that waits for it cannot end while the test runs. */
const TEN_MINUTES = 10 * 60_000;

/** A real TCP server that reads requests and never answers, closed after the test. */
async function hungHost(): Promise<HungServer> {
  const host = await startHungServer();
  onCleanup(() => host.close());
  return host;
}

/** `count` targets on the hung host, spread over `hosts` host names, with a ten-minute timeout. */
function hungTargets(url: string, count: number, hosts = 1) {
  return Array.from({ length: count }, (_, index) =>
    targetFor(`t${index}`, `${url}/t${index}`, {
      host: `h${index % hosts}`,
      timeoutMs: TEN_MINUTES,
      intervalMs: TEN_MINUTES,
      failureThreshold: 1,
    }),
  );
}

const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
afterEach(() => {
  process.off('warning', onWarning);
  warnings.length = 0;
});

describe('FleetMonitor.stop() with checks running and queued', () => {
  test('drops the queued checks, aborts the running ones, records none of them and starts no other', async () => {
    const host = await hungHost();
    // One host, 4 at once: 4 checks run, 8 wait in the queue.
    const monitor = openMonitor({ targets: hungTargets(host.url, 12), concurrency: { perHost: 4 } });
    const results: ProbeResult[] = [];
    const transitions: StateTransition[] = [];
    monitor.onProbe((result) => results.push(result));
    monitor.onTransition((transition) => transitions.push(transition));
    const probing = monitor.probeNow();
    await until(() => host.requests === 4);

    await monitor.stop();
    // Neither a failure nor `down`: a check the stop cut short says nothing about its target.
    expect(results).toEqual([]);
    expect(transitions).toEqual([]);
    expect(monitor.statuses().map((status) => status.state)).toEqual(Array(12).fill('unknown'));
    expect(monitor.statuses().every((status) => status.lastCheckAt === null)).toBe(true);
    // probeNow() hears of the 4 that ran (cancelled); the 8 dropped never ran.
    const outcomes = await probing;
    expect(outcomes.map((result) => result.error)).toEqual(Array(4).fill('probe cancelled'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(host.requests).toBe(4);
  });

  test('the monitor probes again once started after a stop', async () => {
    const host = await hungHost();
    const monitor = openMonitor({ targets: hungTargets(host.url, 2) });
    void monitor.probeNow();
    await until(() => host.requests === 2);
    await monitor.stop();
    const again = monitor.probeNow();
    // New connections: the probes after the stop reached the host (no count: fetch may reconnect).
    await until(() => host.requests > 2);
    monitor.close();
    await again;
  });
});

describe('FleetMonitor checks asked for right after a stop', () => {
  test('a probeNow() right after stop(), before it resolved, probes afresh instead of joining a cancelled check', async () => {
    const host = await hungHost();
    const target = await startTarget();
    // One host, one check at a time: the hung target's check runs, the healthy one's waits.
    const monitor = openMonitor({
      targets: [
        targetFor('hung', `${host.url}/hung`, { host: 'h', timeoutMs: TEN_MINUTES, intervalMs: TEN_MINUTES }),
        targetFor('ok', target.url('/health'), { host: 'h' }),
      ],
      concurrency: { perHost: 1 },
    });
    void monitor.probeNow();
    await host.received(1);
    const stopping = monitor.stop();
    const results = await monitor.probeNow(['ok']);
    expect(results.map((result) => [result.target, result.status])).toEqual([['ok', 200]]);
    await stopping;
    monitor.close();
  });
});

describe('FleetMonitor with many checks at once', () => {
  test('more than 10 checks running at once raise no MaxListenersExceededWarning', async () => {
    process.on('warning', onWarning);
    const host = await hungHost();
    // 12 hosts, 1 target each: all 12 checks run at once, each linked to the monitor's signal.
    const monitor = openMonitor({ targets: hungTargets(host.url, 12, 12) });
    void monitor.probeNow();
    await until(() => host.requests === 12);
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    monitor.close();
    expect(warnings.map((warning) => warning.name)).toEqual([]);
  });
});

describe('FleetMonitor.probeNow({ signal })', () => {
  test('rejects with the signal’s reason once it aborts; the probes go on', async () => {
    const host = await hungHost();
    const monitor = openMonitor({ targets: hungTargets(host.url, 2) });
    const controller = new AbortController();
    const probing = monitor.probeNow(undefined, { signal: controller.signal });
    await until(() => host.requests === 2);
    const reason = new Error('stop asked');
    controller.abort(reason);
    await expect(probing).rejects.toBe(reason);
    // Another caller joins the checks still running: they were not cut short.
    expect(host.requests).toBe(2);
    monitor.close();
  });

  test('rejects at once for a signal that already aborted', async () => {
    const host = await hungHost();
    const monitor = openMonitor({ targets: hungTargets(host.url, 1) });
    const reason = new Error('too late');
    await expect(monitor.probeNow(['t0'], { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(host.requests).toBe(0);
  });
});
