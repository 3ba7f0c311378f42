import { describe, expect, test } from 'vitest';
import { onCleanup, openMonitor, startTarget, T0, targetFor, testClock } from './_monitor.ts';

describe('FleetMonitor: deploy windows', () => {
  test('a target in a deploy window is deploying, and its failures do not take it down', async () => {
    const server = await startTarget();
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url(), { failureThreshold: 2 })], now: clock.now });
    const seen: string[] = [];
    monitor.onTransition((t) => seen.push(`${t.from}->${t.to}`));
    await monitor.probeNow();

    expect(monitor.markDeploying('api', T0 + 60_000)).toEqual(['api']);
    expect(monitor.status('api')?.state).toBe('deploying');
    server.set('/health', { status: 503 });
    for (let probe = 0; probe < 4; probe++) {
      clock.advance(10_000);
      await monitor.probeNow();
      expect(monitor.status('api')?.state).toBe('deploying');
    }
    expect(monitor.transitions('api', 1)[0]).toMatchObject({
      from: 'up',
      to: 'deploying',
      reason: `deploy window until ${new Date(T0 + 60_000).toISOString()}`,
    });

    // After the window, failures count from zero.
    clock.ms = T0 + 60_000;
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('unknown');
    clock.advance(10_000);
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('down');
    expect(seen).toEqual(['unknown->up', 'up->deploying', 'deploying->unknown', 'unknown->down']);
  });

  test('a target already down when its window opens stays down through it and after, with no transition', async () => {
    const server = await startTarget();
    server.set('/health', { status: 503 });
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url(), { failureThreshold: 2 })], now: clock.now });
    const seen: string[] = [];
    monitor.onTransition((t) => seen.push(`${t.from}->${t.to}`));
    await monitor.probeNow();
    clock.advance(10_000);
    await monitor.probeNow();
    const down = monitor.status('api');
    expect(down?.state).toBe('down');

    expect(monitor.markDeploying('api', T0 + 60_000)).toEqual(['api']);
    expect(monitor.status('api')).toMatchObject({ state: 'down', since: down?.since });
    for (let probe = 0; probe < 4; probe++) {
      clock.advance(10_000);
      await monitor.probeNow();
      expect(monitor.status('api')?.state).toBe('down');
    }
    // The window ends (here with a probe, after it): still down, not unknown until more failures.
    clock.ms = T0 + 60_000;
    await monitor.probeNow();
    expect(monitor.status('api')).toMatchObject({ state: 'down', since: down?.since });
    monitor.markDeploying('api', T0 + 70_000);
    monitor.markDeploying('api', T0 + 70_000 - 1);
    expect(monitor.status('api')?.state).toBe('down');
    // So nothing reached the alerts: no recovered/down pair around the deploy.
    expect(seen).toEqual(['unknown->down']);
  });

  test('a target down when its window opens that answers during it is deploying until the window ends', async () => {
    const server = await startTarget();
    server.set('/health', { status: 503 });
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url(), { failureThreshold: 1 })], now: clock.now });
    const seen: string[] = [];
    monitor.onTransition((t) => seen.push(`${t.from}->${t.to}`));
    await monitor.probeNow();
    monitor.markDeploying('api', T0 + 30_000);
    server.set('/health', {});
    clock.advance(10_000);
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('deploying');
    server.set('/health', { status: 503 });
    clock.advance(10_000);
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('deploying');
    server.set('/health', {});
    for (let probe = 0; probe < 3; probe++) {
      clock.advance(10_000);
      await monitor.probeNow();
    }
    expect(monitor.status('api')?.state).toBe('up');
    expect(seen).toEqual(['unknown->down', 'down->deploying', 'deploying->degraded', 'degraded->up']);
  });

  test('a target that answers well after its window is up at once', async () => {
    const server = await startTarget();
    const clock = testClock();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())], now: clock.now });
    await monitor.probeNow();
    monitor.markDeploying('api', T0 + 30_000);
    server.set('/health', { status: 503 });
    clock.advance(10_000);
    await monitor.probeNow();
    server.set('/health', {});
    clock.advance(10_000);
    await monitor.probeNow();
    expect(monitor.status('api')?.state).toBe('deploying');
    clock.advance(10_000);
    await monitor.probeNow();
    expect(monitor.status('api')).toMatchObject({ state: 'up', since: new Date(T0 + 30_000).toISOString() });
    expect(monitor.transitions('api', 1)[0]).toMatchObject({
      from: 'deploying',
      to: 'up',
      reason: 'deploy window ended',
    });
  });

  test('a host name marks every target on that host; a time in the past ends the window', async () => {
    const server = await startTarget();
    const clock = testClock();
    const monitor = openMonitor({
      targets: [
        targetFor('bus', server.url(), { host: 'ezra' }),
        targetFor('knowledge', server.url('/k'), { host: 'ezra' }),
        targetFor('other', server.url(), { host: 'bezalel' }),
      ],
      now: clock.now,
    });
    await monitor.probeNow();
    expect(monitor.markDeploying('ezra', T0 + 600_000)).toEqual(['bus', 'knowledge']);
    expect(monitor.statuses().map((status) => status.state)).toEqual(['deploying', 'deploying', 'up']);
    expect(monitor.markDeploying('nowhere', T0 + 600_000)).toEqual([]);

    monitor.markDeploying('ezra', T0);
    // Nothing was probed during the window: the health before it no longer holds.
    expect(monitor.statuses().map((status) => status.state)).toEqual(['unknown', 'unknown', 'up']);
  });

  test("a host's window covers every target on it, also when one target has the host's name", async () => {
    const server = await startTarget();
    const monitor = openMonitor({
      targets: [
        targetFor('gitea', server.url(), { host: 'gitea' }),
        targetFor('hook', server.url('/k'), { host: 'gitea' }),
        targetFor('other', server.url(), { host: 'bezalel' }),
      ],
      now: testClock().now,
    });
    await monitor.probeNow();
    expect(monitor.markHostDeploying('gitea', T0 + 600_000)).toEqual(['gitea', 'hook']);
    expect(monitor.statuses().map((status) => status.state)).toEqual(['deploying', 'deploying', 'up']);
    // By id, as before: the target of that name alone.
    monitor.markHostDeploying('gitea', T0);
    expect(monitor.markDeploying('gitea', T0 + 600_000)).toEqual(['gitea']);
  });

  test('the window ends on its own at its end, without a probe', async () => {
    const server = await startTarget();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())] });
    await monitor.probeNow();
    const started = new Promise<string>((resolve) => monitor.onTransition((t) => resolve(`${t.from}->${t.to}`)));
    monitor.markDeploying('api', Date.now() + 50);
    await expect(started).resolves.toBe('up->deploying');
    const after = new Promise<string>((resolve) => monitor.onTransition((t) => resolve(`${t.from}->${t.to}`)));
    await expect(after).resolves.toBe('deploying->unknown');
  });

  test('a window longer than a timer can wait (24.8 days) does not wake every millisecond', async () => {
    const server = await startTarget();
    const clock = testClock();
    let clockReads = 0;
    const now = () => {
      clockReads += 1;
      return clock.ms;
    };
    const monitor = openMonitor({ targets: [targetFor('api', server.url())], now });
    const overflows: Error[] = [];
    const onWarning = (warning: Error) => {
      if (warning.name === 'TimeoutOverflowWarning') overflows.push(warning);
    };
    process.on('warning', onWarning);
    onCleanup(() => void process.off('warning', onWarning));
    monitor.markDeploying('api', T0 + 30 * 86_400_000);
    const readsAfterMark = clockReads;
    // Many timer turns: a timer armed past 2^31 - 1 ms would fire (and read the clock) on each.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(overflows).toEqual([]);
    expect(clockReads).toBe(readsAfterMark);
    expect(monitor.status('api')?.state).toBe('deploying');
  });
});
