import { describe, expect, test } from 'vitest';
import type { ProbeResult } from '../../src/schemas/monitor.ts';
import { deferred, openMonitor, startTarget, targetFor, until } from './_monitor.ts';

/** Resolves once `count` results matching `match` have been seen. */
function probesSeen(
  monitor: ReturnType<typeof openMonitor>,
  count: number,
  match: (result: ProbeResult) => boolean = () => true,
): Promise<ProbeResult[]> {
  const seen: ProbeResult[] = [];
  return new Promise((resolve) => {
    const off = monitor.onProbe((result) => {
      if (!match(result)) return;
      seen.push(result);
      if (seen.length === count) {
        off();
        resolve(seen);
      }
    });
  });
}

describe('FleetMonitor: scheduling, limits and target changes', () => {
  test('once started, it probes every target on its own, repeatedly', async () => {
    const server = await startTarget();
    const monitor = openMonitor({
      targets: [
        targetFor('a', server.url('/a'), { intervalMs: 100, timeoutMs: 50 }),
        targetFor('b', server.url('/b'), { intervalMs: 150, timeoutMs: 50 }),
      ],
    });
    const a = probesSeen(monitor, 3, (result) => result.target === 'a');
    const b = probesSeen(monitor, 3, (result) => result.target === 'b');
    monitor.start();
    await Promise.all([a, b]);
    await monitor.stop();
    const paths = server.requests.map((request) => request.url);
    expect(paths.filter((path) => path === '/a').length).toBeGreaterThanOrEqual(3);
    expect(monitor.statuses().map((status) => status.state)).toEqual(['up', 'up']);
  });

  test('stop() aborts the probe in flight without recording it, and no probe starts after it', async () => {
    const server = await startTarget();
    server.set('/slow', { hang: true });
    const monitor = openMonitor({
      targets: [targetFor('slow', server.url('/slow'), { intervalMs: 200, timeoutMs: 100, failureThreshold: 1 })],
      random: () => 0,
    });
    const seen: ProbeResult[] = [];
    monitor.onProbe((result) => seen.push(result));
    monitor.start();
    await until(() => server.requests.length === 1);
    await monitor.stop();
    // Cut short by the stop, it says nothing about the target: not recorded, no `down`.
    expect(seen).toEqual([]);
    expect(monitor.status('slow')).toMatchObject({ state: 'unknown', lastCheckAt: null });
    const requests = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.requests).toHaveLength(requests);
  });

  test('close() aborts the probes in flight instead of waiting for their timeout', async () => {
    const server = await startTarget();
    server.set('/health', { hang: true });
    const monitor = openMonitor({
      targets: [targetFor('api', server.url(), { intervalMs: 60_000, timeoutMs: 25_000 })],
    });
    const pending = monitor.probeNow();
    await until(() => server.requests.length === 1);
    monitor.close();
    // The result is not recorded (the history is closed), but the caller hears why.
    await expect(pending).resolves.toMatchObject([{ ok: false, error: 'probe cancelled' }]);
  });

  test('concurrency per host is limited', async () => {
    const server = await startTarget();
    const gate = deferred();
    const targets = Array.from({ length: 6 }, (_, i) => {
      server.set(`/t${i}`, { wait: gate.promise });
      return targetFor(`t${i}`, server.url(`/t${i}`), { host: i < 3 ? 'a' : 'b' });
    });
    const monitor = openMonitor({ targets, concurrency: { total: 10, perHost: 2 } });
    const done = monitor.probeNow();
    await until(() => server.open === 4);
    // Give a third probe of a host every chance to start: it must not.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requests.map((request) => request.url)).toEqual(['/t0', '/t1', '/t3', '/t4']);
    gate.resolve();
    expect(await done).toHaveLength(6);
    expect(server.maxConcurrent).toBe(4);
  });

  test('concurrency overall is limited across hosts', async () => {
    const server = await startTarget();
    const gate = deferred();
    const targets = Array.from({ length: 6 }, (_, i) => {
      server.set(`/t${i}`, { wait: gate.promise });
      return targetFor(`t${i}`, server.url(`/t${i}`), { host: `h${i}` });
    });
    const monitor = openMonitor({ targets, concurrency: { total: 3, perHost: 5 } });
    const done = monitor.probeNow();
    await until(() => server.open === 3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requests).toHaveLength(3);
    gate.resolve();
    expect(await done).toHaveLength(6);
    expect(server.maxConcurrent).toBe(3);
  });

  test('probeNow of a target whose probe is running shares that probe', async () => {
    const server = await startTarget();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())] });
    const [one, two] = await Promise.all([monitor.probeNow(['api']), monitor.probeNow(['api'])]);
    expect(server.requests).toHaveLength(1);
    expect(one).toEqual(two);
    await expect(monitor.probeNow(['nope'])).rejects.toThrow('unknown monitor target "nope"');
  });

  test('setTargets keeps the state of kept ids, adds new ones and drops removed ones', async () => {
    const server = await startTarget();
    const monitor = openMonitor({
      targets: [targetFor('keep', server.url('/keep')), targetFor('drop', server.url('/drop'))],
    });
    await monitor.probeNow();
    monitor.setTargets([
      targetFor('new', server.url('/new')),
      // Same id, new interval and conditions: the state stays.
      targetFor('keep', server.url('/keep'), { intervalMs: 20_000, conditions: ['[STATUS] < 500'] }),
    ]);
    expect(monitor.statuses().map((status) => [status.id, status.state])).toEqual([
      ['new', 'unknown'],
      ['keep', 'up'],
    ]);
    expect(monitor.status('drop')).toBeUndefined();
  });

  test('invalid targets are refused with the target and the problem named, changing nothing', async () => {
    const monitor = openMonitor({ targets: [targetFor('api', 'http://127.0.0.1:9/health')] });
    expect(() => monitor.setTargets([targetFor('api', 'http://x/h', { conditions: ['[STATUS] = 200'] })])).toThrow(
      'invalid monitor target "api": conditions.0: invalid condition "[STATUS] = 200" at column 10: expected an operator (==, !=, <, <=, >, >=)',
    );
    expect(() => monitor.setTargets([targetFor('api', 'not a url')])).toThrow(/invalid monitor target "api": url: /);
    expect(() => monitor.setTargets([targetFor('a', 'http://x/h'), targetFor('a', 'http://y/h')])).toThrow(
      'duplicate monitor target id "a"',
    );
    expect(monitor.statuses().map((status) => status.url)).toEqual(['http://127.0.0.1:9/health']);
  });
});
