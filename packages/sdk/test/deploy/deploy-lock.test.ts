import { existsSync, mkdirSync, readFileSync, utimesSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { afterAll, describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import { LocalExecutor } from '../../src/deploy/local-executor.ts';
import { acquireDeployLock } from '../../src/deploy/lock/acquire-deploy-lock.ts';
import { isDeployLockError } from '../../src/deploy/lock/deploy-lock-error.ts';
import { forceUnlock } from '../../src/deploy/lock/force-unlock.ts';
import { readDeployLock } from '../../src/deploy/lock/read-deploy-lock.ts';
import { CountingExecutor, tempHost } from './_host.ts';
import { removeLockHolderScript, startLockHolder } from './_lock-child.ts';

const DIR = '/var/lib/fleet/deploy/lock';
const MINUTE = 60_000;

afterAll(removeLockHolderScript);

/** Sets the mtime of a host path `ms` into the past: a lock that has not heartbeaten for that long. */
function age(host: LocalExecutor, path: string, ms: number): void {
  const when = new Date(Date.now() - ms);
  utimesSync(host.hostPath(path), when, when);
}

function refusal(error: unknown): { code: string; message: string } {
  expect(isDeployLockError(error)).toBe(true);
  return error as { code: string; message: string };
}

describe('taking the deploy lock', () => {
  test('writes who holds it; a second deployer is refused with a message naming the holder', async () => {
    const host = tempHost();
    const lock = await acquireDeployLock(host, {
      dir: DIR,
      owner: { runId: 'run-1', commit: 'abc1234', message: 'fix the bus' },
    });
    const owner = JSON.parse(readFileSync(host.hostPath(`${DIR}/owner.json`), 'utf8'));
    expect(owner).toMatchObject({
      runId: 'run-1',
      user: userInfo().username,
      host: hostname(),
      pid: process.pid,
      commit: 'abc1234',
      message: 'fix the bus',
      ttlMs: 120_000,
    });
    expect(await readDeployLock(host, DIR)).toMatchObject({ owner: { runId: 'run-1' }, stale: false, ttlMs: 120_000 });

    const error = refusal(
      await acquireDeployLock(host, { dir: DIR, owner: { runId: 'run-2' } }).catch((caught: unknown) => caught),
    );
    expect(error.code).toBe('deploy_locked');
    expect(error.message).toContain(
      `is held by ${userInfo().username} on ${hostname()} (pid ${process.pid}), run run-1`,
    );
    expect(error.message).toContain('commit abc1234 ("fix the bus")');
    expect(error.message).toContain(`since ${owner.startedAt}; last heartbeat 0s ago, stale after 2m 00s`);
    expect(error.message).toContain('force-unlock run run-1');

    expect(await lock.release()).toBe(true);
    expect(await lock.release()).toBe(true);
    expect(existsSync(host.hostPath(DIR))).toBe(false);
    expect(await readDeployLock(host, DIR)).toBeUndefined();
    const next = await acquireDeployLock(host, { dir: DIR, owner: { runId: 'run-2' } });
    await next[Symbol.asyncDispose]();
    expect(existsSync(host.hostPath(DIR))).toBe(false);
  });

  test('a heartbeat makes an old lock fresh again', async () => {
    const host = tempHost();
    const lock = await acquireDeployLock(host, { dir: DIR, owner: { runId: 'r' }, ttlMs: 10 * MINUTE });
    age(host, `${DIR}/owner.json`, 9 * MINUTE);
    expect((await readDeployLock(host, DIR))?.ageMs).toBeGreaterThanOrEqual(9 * MINUTE);
    await lock.heartbeat();
    expect((await readDeployLock(host, DIR))?.ageMs).toBeLessThan(9 * MINUTE);
    await lock.release();
  });

  test('abort() stops the run but keeps the lock, heartbeat and all; release() stops whatever still runs', async () => {
    const host = tempHost();
    const lock = await acquireDeployLock(host, { dir: DIR, owner: { runId: 'r' }, ttlMs: 10 * MINUTE });
    const stopped = new Error('stopped by SIGINT');
    lock.abort(stopped);
    expect(lock.signal.reason).toBe(stopped);
    expect(lock.isLost).toBe(false);
    age(host, `${DIR}/owner.json`, 9 * MINUTE);
    await lock.heartbeat();
    expect(await readDeployLock(host, DIR)).toMatchObject({ owner: { runId: 'r' }, stale: false });
    expect(await lock.release()).toBe(true);

    const next = await acquireDeployLock(host, { dir: DIR, owner: { runId: 'next' } });
    expect(next.signal.aborted).toBe(false);
    const releasing = next.release();
    expect(next.signal.reason).toMatchObject({
      code: 'deploy_lock_lost',
      message: expect.stringContaining('released'),
    });
    expect(await releasing).toBe(true);
    expect(next.isLost).toBe(false);
  });

  test('a stale lock is taken over, and its old holder learns it lost it', async () => {
    const host = tempHost();
    const old = await acquireDeployLock(host, { dir: DIR, owner: { runId: 'old' }, ttlMs: MINUTE });
    age(host, `${DIR}/owner.json`, 2 * MINUTE);
    expect(await readDeployLock(host, DIR)).toMatchObject({ stale: true, owner: { runId: 'old' } });

    const lock = await acquireDeployLock(host, { dir: DIR, owner: { runId: 'new' } });
    expect(lock.tookOver).toMatchObject({ stale: true, owner: { runId: 'old' } });
    expect(await readDeployLock(host, DIR)).toMatchObject({ stale: false, owner: { runId: 'new' } });

    const lost = refusal(await old.heartbeat().catch((caught: unknown) => caught));
    expect(lost.code).toBe('deploy_lock_lost');
    expect(lost.message).toMatch(/run old\): it was removed or taken over/);
    expect(await old.lost).toBe(lost);
    expect(old.isLost).toBe(true);
    expect(old.signal.reason).toBe(lost);
    // Releasing the lost lock leaves the new holder's alone.
    expect(await old.release()).toBe(false);
    expect(await readDeployLock(host, DIR)).toMatchObject({ owner: { runId: 'new' } });
    await lock.release();
  });

  test("a lock dir without owner.json is someone's until its TTL has passed since it was made", async () => {
    const host = tempHost();
    mkdirSync(host.hostPath(DIR), { recursive: true });
    const error = refusal(
      await acquireDeployLock(host, { dir: DIR, owner: { runId: 'r' }, ttlMs: MINUTE }).catch(
        (caught: unknown) => caught,
      ),
    );
    expect(error.message).toMatch(/held by an unknown deployer: it has no owner.json .*stale after 1m 00s/);
    age(host, DIR, 2 * MINUTE);
    const lock = await acquireDeployLock(host, { dir: DIR, owner: { runId: 'r' }, ttlMs: MINUTE });
    expect(lock.tookOver).toMatchObject({ stale: true, problem: expect.stringMatching(/no owner.json/) });
    await lock.release();
  });

  test('of eight deployers racing for a free lock, or for the same stale one, exactly one wins', async () => {
    const host = tempHost();
    const race = async () => {
      const tries = Array.from({ length: 8 }, (_, index) =>
        acquireDeployLock(new LocalExecutor({ root: host.root }), { dir: DIR, owner: { runId: `racer-${index}` } }),
      );
      const settled = await Promise.allSettled(tries);
      const won = settled.filter((result) => result.status === 'fulfilled');
      for (const result of settled) {
        if (result.status === 'rejected') expect(refusal(result.reason).code).toBe('deploy_locked');
      }
      return won.map((result) => result.value);
    };
    const [first, ...others] = await race();
    expect(others).toHaveLength(0);
    expect(await readDeployLock(host, DIR)).toMatchObject({ owner: { runId: first!.owner.runId } });

    age(host, `${DIR}/owner.json`, 3 * MINUTE);
    const winners = await race();
    expect(winners).toHaveLength(1);
    expect(winners[0]!.tookOver?.owner?.runId).toBe(first!.owner.runId);
    expect(await readDeployLock(host, DIR)).toMatchObject({ owner: { runId: winners[0]!.owner.runId } });
    await winners[0]!.release();
  });

  test('waiting: takes the lock once its holder lets go, else gives up after waitMs', async () => {
    const host = tempHost();
    const holder = await acquireDeployLock(host, { dir: DIR, owner: { runId: 'first' } });
    const counting = new CountingExecutor(host);
    const waiting = acquireDeployLock(counting, { dir: DIR, owner: { runId: 'second' }, waitMs: 30_000, pollMs: 20 });
    // Released only once the waiter has been refused and tried again.
    while ((counting.calls.run ?? 0) < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await holder.release();
    const lock = await waiting;
    expect(lock.owner.runId).toBe('second');

    const error = refusal(
      await acquireDeployLock(host, { dir: DIR, owner: { runId: 'third' }, waitMs: 50, pollMs: 10 }).catch(
        (caught: unknown) => caught,
      ),
    );
    expect(error.message).toMatch(/run second.*\(waited 0s\)/);
    const aborted = acquireDeployLock(host, {
      dir: DIR,
      owner: { runId: 'fourth' },
      waitMs: 60_000,
      signal: AbortSignal.abort(new Error('user gave up')),
    });
    await expect(aborted).rejects.toThrow('user gave up');
    await lock.release();
  });

  test('options: the heartbeat must come more often than the TTL, and waiting never lasts forever', async () => {
    const host = tempHost();
    const bad = [{ ttlMs: 1_000, heartbeatMs: 1_000 }, { waitMs: Number.POSITIVE_INFINITY }, { ttlMs: 0 }];
    for (const options of bad) {
      const error = await acquireDeployLock(host, { dir: DIR, owner: { runId: 'r' }, ...options }).catch(
        (caught: unknown) => caught,
      );
      expect(isDeployError(error) && error.code).toBe('invalid_plan');
    }
    expect(existsSync(host.hostPath(DIR))).toBe(false);
  });
});

describe('forcing the lock open', () => {
  test("with a run id, only that run's lock; its holder then finds out it lost it", async () => {
    const host = tempHost();
    const lock = await acquireDeployLock(host, { dir: DIR, owner: { runId: 'r-"quoted"' } });
    expect(await forceUnlock(host, DIR, { runId: 'other' })).toMatchObject({
      removed: false,
      holder: { owner: { runId: 'r-"quoted"' } },
    });
    expect(existsSync(host.hostPath(DIR))).toBe(true);
    expect(await forceUnlock(host, DIR, { runId: 'r-"quoted"' })).toMatchObject({ removed: true });
    expect(existsSync(host.hostPath(DIR))).toBe(false);
    await expect(lock.heartbeat()).rejects.toMatchObject({ code: 'deploy_lock_lost' });
    expect(await forceUnlock(host, DIR)).toEqual({ removed: false, holder: undefined });
  });

  test('without one, whatever holds it, even a lock with no owner.json', async () => {
    const host = tempHost();
    mkdirSync(host.hostPath(DIR), { recursive: true });
    expect(await forceUnlock(host, DIR)).toMatchObject({ removed: true, holder: { problem: expect.any(String) } });
    expect(existsSync(host.hostPath(DIR))).toBe(false);
  });
});

describe('a deployer process that is stopped', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`by ${signal}: releases the lock and ends as the signal would`, async () => {
      const host = tempHost();
      const holder = await startLockHolder(host.root, DIR, { ttlMs: MINUTE, runId: 'child' });
      expect(await holder.line).toMatchObject({ event: 'locked', runId: 'child' });
      expect(await readDeployLock(host, DIR)).toMatchObject({ owner: { runId: 'child', pid: holder.child.pid } });
      holder.child.kill(signal);
      expect(await holder.exited).toEqual({ code: null, signal });
      expect(existsSync(host.hostPath(DIR))).toBe(false);
    });
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`by ${signal} mid-run, with another listener: the run stops, its handlers run under the lock, then it is released`, async () => {
      const host = tempHost();
      const holder = await startLockHolder(host.root, DIR, { ttlMs: MINUTE, runId: 'running', mode: 'run' });
      expect(await holder.line).toMatchObject({ event: 'locked' });
      await holder.next({ event: 'step', step: 'long step' });
      const started = performance.now();
      holder.child.kill(signal);
      await holder.next({ event: 'signal' });
      // Still held while the run winds down (its handler takes half a second).
      expect(await readDeployLock(host, DIR)).toMatchObject({ owner: { runId: 'running' } });
      // The long step was stopped at once; the handler it left due found the lock still there.
      expect(await holder.next({ event: 'finished' })).toMatchObject({
        steps: ['change: changed', 'long step: failed'],
        handlers: ['restart: changed'],
      });
      expect(await holder.exited).toEqual({ code: signal === 'SIGINT' ? 130 : 143, signal: null });
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(existsSync(host.hostPath(DIR))).toBe(false);
    });
  }

  test('by SIGKILL: the lock stays, names the dead process, and is taken over once stale', async () => {
    const host = tempHost();
    const ttlMs = 1_500;
    const holder = await startLockHolder(host.root, DIR, { ttlMs, runId: 'killed' });
    expect(await holder.line).toMatchObject({ event: 'locked' });
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect(existsSync(host.hostPath(`${DIR}/owner.json`))).toBe(true);
    const refused = refusal(
      await acquireDeployLock(host, { dir: DIR, owner: { runId: 'next' }, ttlMs }).catch((caught: unknown) => caught),
    );
    expect(refused.message).toContain(`(pid ${holder.child.pid}), run killed`);

    const lock = await acquireDeployLock(host, {
      dir: DIR,
      owner: { runId: 'next' },
      ttlMs,
      waitMs: 30_000,
      pollMs: 100,
    });
    expect(lock.tookOver).toMatchObject({ stale: true, owner: { runId: 'killed', pid: holder.child.pid } });
    await lock.release();
  });

  test('two deployer processes started together: exactly one holds the lock', async () => {
    const host = tempHost();
    const holders = await Promise.all(
      ['left', 'right'].map((runId) => startLockHolder(host.root, DIR, { ttlMs: MINUTE, runId })),
    );
    const lines = await Promise.all(holders.map((holder) => holder.line));
    expect(lines.map((line) => line.event).sort()).toEqual(['locked', 'refused']);
    const winner = lines.find((line) => line.event === 'locked')!;
    const loser = lines.find((line) => line.event === 'refused')!;
    // The loser names the winner, or, if it looked before the winner wrote owner.json, says so.
    expect(loser).toMatchObject({ code: 'deploy_locked' });
    expect((loser as { message: string }).message).toMatch(
      new RegExp(`run ${winner.runId}|held by an unknown deployer: it has no owner.json \\(being written`),
    );
    expect(await readDeployLock(host, DIR)).toMatchObject({ owner: { runId: winner.runId } });
    for (const holder of holders) holder.child.kill('SIGTERM');
    await Promise.all(holders.map((holder) => holder.exited));
    expect(existsSync(host.hostPath(DIR))).toBe(false);
  });
});
