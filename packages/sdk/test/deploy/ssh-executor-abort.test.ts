import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_CHANNELS } from '../../src/deploy/ssh/internal/channel-slots.ts';
import { scratch, sshExecutors } from './_ssh.ts';

const ABORTED = { timedOut: true, exitCode: null };

describe.skipIf(!hasTestHostDeps())('SshExecutor: an aborted run', () => {
  let run: TestHosts;
  let host: TestHost;
  const sshTo = sshExecutors(() => run);

  beforeAll(async () => {
    run = await startTestHosts(1);
    [host] = run.hosts as [TestHost];
  });
  afterAll(() => run?.close());

  test('aborted before the call, the command never reaches the host', async () => {
    const executor = sshTo(host);
    await executor.stat('/');
    const dir = scratch(host);
    const execs = executor.stats.execs;
    const result = await executor.run(['touch', `${dir.path}/ran`], { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ ...ABORTED, signal: null, stdout: '' });
    expect(executor.stats.execs).toBe(execs);
    expect(existsSync(join(dir.local, 'ran'))).toBe(false);
  });

  test('aborted while the connection opens, the call returns at once and the command never runs', async () => {
    const executor = sshTo(host);
    const dir = scratch(host);
    const controller = new AbortController();
    const running = executor.run(['touch', `${dir.path}/ran`], { signal: controller.signal });
    controller.abort();
    expect(await running).toMatchObject(ABORTED);
    await executor.stat('/'); // one more round trip: anything the aborted run sent has reached the host
    expect(executor.stats).toMatchObject({ connections: 1, execs: 1 }); // the connection it opened, the stat
    expect(existsSync(join(dir.local, 'ran'))).toBe(false);
  });

  test('aborted at any moment of the exec request, the command never completes', async () => {
    const executor = sshTo(host, { killGraceMs: 300 });
    await executor.stat('/');
    const dir = scratch(host);
    // Aborts after 0..N event loop turns and a few ms: before the channel opens, while it opens,
    // while the host starts `timeout`, and once the command runs. The command would take 2 s.
    const moments = [
      ...Array.from({ length: 8 }, (_, turns) => async () => {
        for (let turn = 0; turn < turns; turn += 1) await new Promise((resolve) => setImmediate(resolve));
      }),
      ...[1, 2, 3, 5, 8, 13, 21, 50, 100].map((ms) => () => sleep(ms)),
    ];
    const results = await Promise.all(
      moments.map(async (moment, index) => {
        const controller = new AbortController();
        const running = executor.run(`sleep 2; touch ${dir.path}/ran-${index}`, { signal: controller.signal });
        await moment();
        controller.abort();
        return running;
      }),
    );
    expect(results.filter((result) => !result.timedOut || result.exitCode !== null)).toEqual([]);
    await sleep(2_500); // past when any command that escaped would have touched its file
    expect(readdirSync(dir.local)).toEqual([]);
    expect((await executor.run(['pgrep', '-f', `[t]ouch ${dir.path}/ran-`])).exitCode).toBe(1);
  }, 20_000);

  test('more commands at once than the host allows sessions: they queue for a channel, and all run', async () => {
    const executor = sshTo(host);
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, index) => executor.run(`sleep 0.2; echo ${index}`)),
    );
    expect(results.map((result) => result.stdout)).toEqual(Array.from({ length: 25 }, (_, index) => `${index}\n`));
    expect(executor.stats.connections).toBe(1);
  });

  test('aborted while queued for a channel, the command never runs; stopping the others jumps the queue', async () => {
    const executor = sshTo(host, { killGraceMs: 300 });
    const dir = scratch(host);
    const busy = new AbortController();
    // Every ordinary channel busy for 30 s (one is kept for stops): the next command waits in the queue.
    const blockers = Array.from({ length: MAX_CHANNELS - 1 }, () => executor.run('sleep 30', { signal: busy.signal }));
    const queued = new AbortController();
    const waiting = executor.run(['touch', `${dir.path}/queued`], { signal: queued.signal });
    await sleep(1_000);
    queued.abort();
    expect(await waiting).toMatchObject(ABORTED);
    busy.abort();
    expect((await Promise.all(blockers)).every((result) => result.timedOut)).toBe(true);
    await executor.stat('/');
    expect(existsSync(join(dir.local, 'queued'))).toBe(false);
  }, 20_000);

  test('aborted mid-command, the command is killed on the host and the call returns at once', async () => {
    const executor = sshTo(host, { killGraceMs: 500 });
    const dir = scratch(host);
    const controller = new AbortController();
    const running = executor.run(`sleep 30; touch ${dir.path}/x`, { signal: controller.signal, timeoutMs: 60_000 });
    await sleep(500);
    expect(existsSync(join(dir.local, 'x'))).toBe(false);
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ timedOut: true, exitCode: null });
    expect(result.durationMs).toBeLessThan(30_000);
    const left = await executor.run(['pgrep', '-f', `[s]leep 30; touch ${dir.path}/x`]);
    expect(left.exitCode).toBe(1);
    expect(existsSync(join(dir.local, 'x'))).toBe(false);
  }, 15_000);
});
