import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readDeployHistory } from '../../src/deploy/history/read-deploy-history.ts';
import { recordDeployRun } from '../../src/deploy/history/record-deploy-run.ts';
import { acquireDeployLock } from '../../src/deploy/lock/acquire-deploy-lock.ts';
import type { DeployLock } from '../../src/deploy/lock/deploy-lock.ts';
import { isDeployLockError } from '../../src/deploy/lock/deploy-lock-error.ts';
import { readDeployLock } from '../../src/deploy/lock/read-deploy-lock.ts';
import { activateRelease } from '../../src/deploy/releases/activate-release.ts';
import { listReleases } from '../../src/deploy/releases/list-releases.ts';
import { pruneReleases } from '../../src/deploy/releases/prune-releases.ts';
import { rollbackRelease } from '../../src/deploy/releases/rollback-release.ts';
import { ids, makeReleases } from './_releases.ts';
import { deployRun } from './_runs.ts';
import { sshExecutors } from './_ssh.ts';

// Releases, the deploy lock and run history through SshExecutor, on real sshd test hosts.
describe.skipIf(!hasTestHostDeps())('releases, the deploy lock and history over SSH', () => {
  let run: TestHosts;
  let a: TestHost;
  let serial = 0;

  const sshTo = sshExecutors(() => run);

  /** A fresh directory name under the host's /var/lib/fleet: its host path and its backing path here. */
  function fresh(name: string): { path: string; local: string } {
    serial += 1;
    return { path: `/var/lib/fleet/t${serial}/${name}`, local: join(a.dirs.varLibFleet, `t${serial}`, name) };
  }

  beforeAll(async () => {
    run = await startTestHosts(1);
    [a] = run.hosts as [TestHost];
  });
  afterAll(() => run?.close());

  test('releases: activate, prune around current and previous, roll back and forth', async () => {
    const host = sshTo(a);
    const base = fresh('bus').path;
    const all = ids(7);
    await makeReleases(host, base, all);
    await activateRelease(host, base, all[1]!);
    await activateRelease(host, base, all[0]!);
    expect(await pruneReleases(host, base, { keep: 3 })).toEqual({
      removed: all.slice(2, 4),
      kept: [all[0], all[1], ...all.slice(4)],
    });
    expect(await rollbackRelease(host, base)).toEqual({ from: all[0], to: all[1], changed: true });
    expect(await rollbackRelease(host, base)).toEqual({ from: all[1], to: all[0], changed: true });
    expect(await listReleases(host, base)).toEqual({
      base,
      releases: [all[0], all[1], ...all.slice(4)],
      current: all[0],
      previous: all[1],
    });
  }, 60_000);

  test('a reader on the host polling current never finds it missing during 50 swaps', async () => {
    const host = sshTo(a);
    const base = fresh('swap').path;
    const [r1, r2] = ids(2) as [string, string];
    await makeReleases(host, base, [r1, r2]);
    await activateRelease(host, base, r1);
    // Counts reads and misses of the link until the stop file appears; `started` once it reads.
    const reader = host
      .run(
        `cd "$1" || exit 9; ok=0; miss=0
         while [ ! -e stop ]; do
           if readlink current > /dev/null; then ok=$((ok + 1)); else miss=$((miss + 1)); fi
           [ $ok = 1 ] && : > started
         done
         echo "$ok $miss"`.replace('$1', base),
        { timeoutMs: 170_000 },
      )
      .catch((error: unknown) => error as Error);
    const other = sshTo(a);
    while (!(await other.stat(`${base}/started`)).exists) await new Promise((resolve) => setTimeout(resolve, 20));
    for (let swap = 0; swap < 50; swap++) await activateRelease(other, base, swap % 2 === 0 ? r2 : r1);
    await other.writeFile(`${base}/stop`, '');
    const result = await reader;
    if (result instanceof Error) throw result;
    const [reads, misses] = result.stdout.trim().split(' ').map(Number) as [number, number];
    expect(result.exitCode).toBe(0);
    expect(reads).toBeGreaterThan(0);
    expect(misses).toBe(0);
  }, 180_000);

  test('four SshExecutors racing for the same lock, then for it gone stale: exactly one wins each time', async () => {
    const dir = fresh('lock').path;
    const race = async (round: string): Promise<DeployLock[]> => {
      const settled = await Promise.allSettled(
        [1, 2, 3, 4].map((index) =>
          acquireDeployLock(sshTo(a), { dir, owner: { runId: `${round}-${index}` }, ttlMs: 60_000 }),
        ),
      );
      for (const result of settled) {
        if (result.status === 'rejected')
          expect(isDeployLockError(result.reason) && result.reason.code).toBe('deploy_locked');
      }
      return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    };
    const first = await race('free');
    expect(first).toHaveLength(1);
    // An hour without a heartbeat: stale.
    const host = sshTo(a);
    await host.run(['touch', '-d', '-1 hour', `${dir}/owner.json`]);
    expect(await readDeployLock(host, dir)).toMatchObject({ stale: true, owner: { runId: first[0]!.owner.runId } });
    const second = await race('stale');
    expect(second).toHaveLength(1);
    expect(second[0]!.tookOver?.owner?.runId).toBe(first[0]!.owner.runId);
    expect(await readDeployLock(host, dir)).toMatchObject({ stale: false, owner: { runId: second[0]!.owner.runId } });
    expect(await second[0]!.release()).toBe(true);
    expect(await first[0]!.release()).toBe(false);
  }, 60_000);

  test('a network cut while holding the lock: lost is reported; once stale, a rerun takes it over', async () => {
    const dir = fresh('lock').path;
    const ttlMs = 3_000;
    const holder = sshTo(a, { keepaliveIntervalMs: 500, keepaliveCountMax: 2 });
    const lock = await acquireDeployLock(holder, { dir, owner: { runId: 'cut' }, ttlMs, heartbeatMs: 300 });
    await lock.heartbeat();
    await a.cutNetwork();
    let lost: unknown;
    try {
      lost = await lock.lost;
    } finally {
      await a.restoreNetwork();
    }
    expect(isDeployLockError(lost) && lost.code).toBe('deploy_lock_lost');
    expect((lost as Error).message).toMatch(/run cut\): no heartbeat reached/);
    expect(lock.signal.aborted).toBe(true);

    const rerun = await acquireDeployLock(sshTo(a), {
      dir,
      owner: { runId: 'rerun' },
      ttlMs,
      waitMs: 30_000,
      pollMs: 200,
    });
    expect(rerun.tookOver).toMatchObject({ stale: true, owner: { runId: 'cut' } });
    expect(await rerun.release()).toBe(true);
  }, 60_000);

  test('history: two writers over SSH, every run recorded whole, read back newest first', async () => {
    const { path: file, local } = fresh('history.jsonl');
    const writers = [sshTo(a), sshTo(a)];
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let index = 0; index < 8; index++)
          await recordDeployRun(writer, deployRun(`w${w}-${index}`), { file, keep: 12 });
      }),
    );
    const { runs, problems } = await readDeployHistory(writers[0]!, { file });
    expect(problems).toEqual([]);
    expect(runs).toHaveLength(12);
    expect(runs.filter((run) => run.id.startsWith('w0-')).map((run) => run.id)).toEqual(
      runs
        .filter((run) => run.id.startsWith('w0-'))
        .map((run) => run.id)
        .sort()
        .reverse(),
    );
    expect(existsSync(local)).toBe(true);
    expect(readFileSync(local, 'utf8').trimEnd().split('\n')).toHaveLength(12);
  }, 60_000);
});
