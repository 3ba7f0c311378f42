import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeployError } from '../errors.ts';
import type { Executor } from '../executor.ts';
import { FLOCK_BUSY_EXIT, fromRoot, runScript, runScriptUnderFlock, scriptFailed } from '../internal/host-script.ts';
import type { DeployLock } from './deploy-lock.ts';
import { DeployLockError } from './deploy-lock-error.ts';
import {
  DEFAULT_DEPLOY_LOCK_DIR,
  DEFAULT_DEPLOY_LOCK_HEARTBEAT_MS,
  DEFAULT_DEPLOY_LOCK_TTL_MS,
  type DeployLockHolder,
  DeployLockOwner,
} from './deploy-lock-owner.ts';
import type { DeployLockStatus } from './deploy-lock-status.ts';
import { describeHolder, formatDuration } from './internal/describe-holder.ts';
import { asideName, HeldLock } from './internal/held-lock.ts';
import { ACQUIRE, TAKE_OVER } from './internal/lock-scripts.ts';
import { parseLockStatus } from './internal/parse-lock-status.ts';

/** Options of {@link acquireDeployLock}. */
export interface AcquireDeployLockOptions {
  /** Who takes it: the run's id, and what else `owner.json` should say. */
  owner: DeployLockHolder;
  /** The lock directory on the lock host. @default '/var/lib/fleet/deploy/lock' */
  dir?: string;
  /** A lock without a heartbeat for this long is stale, and taken over by the next deployer. @default 120_000 */
  ttlMs?: number;
  /** How often the heartbeat runs; less than `ttlMs`. @default 15_000, or a quarter of `ttlMs` when that is less */
  heartbeatMs?: number;
  /** Wait this long for a held lock (`--lock-wait`), polling; 0 fails at once. Never forever. @default 0 */
  waitMs?: number;
  /** Between two tries while waiting. @default 2_000 */
  pollMs?: number;
  /** Stops waiting (rejects with its reason). */
  signal?: AbortSignal;
}

/** setTimeout's longest delay: a longer one fires at once (Node warns and uses 1 ms). */
const LONGEST_TIMER_MS = 2_147_483_647;

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0) || value > LONGEST_TIMER_MS) {
    throw new DeployError(
      'invalid_plan',
      `${name} must be a finite number ${allowZero ? '>= 0' : '> 0'} and at most ${LONGEST_TIMER_MS} (about 24 days), got ${value}`,
    );
  }
  return value;
}

function ownerOf(holder: DeployLockHolder, ttlMs: number): DeployLockOwner {
  return DeployLockOwner.parse({
    runId: holder.runId,
    user: holder.user ?? userInfo().username,
    host: holder.host ?? hostname(),
    pid: holder.pid ?? process.pid,
    ...(holder.commit === undefined ? {} : { commit: holder.commit }),
    ...(holder.message === undefined ? {} : { message: holder.message }),
    startedAt: new Date().toISOString(),
    ttlMs: Math.round(ttlMs),
    token: randomBytes(16).toString('hex'),
  });
}

type Attempt =
  | { acquired: true; tookOver?: DeployLockStatus }
  | { acquired: false; holder: DeployLockStatus | undefined };

async function attempt(executor: Executor, dir: string, ttlMs: number): Promise<Attempt> {
  const what = `take the deploy lock ${dir}`;
  // Under the parent's flock, like a takeover: a takeover renames the stale lock away and makes
  // its own, and a plain mkdir between the two would win a lock it should have found taken over.
  const result = await runScriptUnderFlock(executor, what, posix.dirname(dir), ACQUIRE, [fromRoot(dir)], {
    create: true,
  });
  if (result.exitCode === 0) return { acquired: true };
  if (result.exitCode === FLOCK_BUSY_EXIT) return { acquired: false, holder: undefined };
  if (result.exitCode !== 1) throw scriptFailed(executor, what, result);
  const holder = parseLockStatus(result.stdout, dir, executor.host, ttlMs);
  if (holder === undefined) return { acquired: false, holder }; // released just now: try again
  if (!holder.stale) return { acquired: false, holder };
  // Stale: take it over under the parent directory's flock, which re-checks that it is stale, so
  // of two deployers racing for the same stale lock only the first takes it.
  const args = [fromRoot(dir), String(Math.round(ttlMs)), fromRoot(asideName(dir, 'stale'))];
  const takeover = await runScriptUnderFlock(executor, what, posix.dirname(dir), TAKE_OVER, args, { create: false });
  if (takeover.exitCode === 0) return { acquired: true, tookOver: holder };
  if ([1, 3, 4, 75].includes(takeover.exitCode ?? -1)) return { acquired: false, holder: undefined };
  throw scriptFailed(executor, what, takeover);
}

/**
 * Take the deploy lock on the lock host: `mkdir` of the lock directory is the atomic
 * test-and-set, then `owner.json` (who, from where, pid, run, commit, TTL) is written into it.
 * A lock whose heartbeat is older than its TTL (or, without `owner.json`, whose directory is) is
 * stale and taken over; of several deployers racing for it only one wins. While held, a timer
 * heartbeats it every `heartbeatMs`; see {@link DeployLock.lost} for losing it. Works through any
 * {@link Executor}; the lock host needs GNU coreutils and util-linux `flock`.
 *
 * @throws {DeployLockError} `deploy_locked`, naming the holder, when it is held and not stale
 *   (after `waitMs`).
 * @example
 * await using lock = await acquireDeployLock(lockHost, { owner: { runId, commit }, waitMs: 60_000 });
 * const stopHandlers = releaseOnSignals(lock);
 * try {
 *   await runPlan(plan, { executor, mode: 'apply', signal: lock.signal });
 * } finally {
 *   stopHandlers();
 * }
 */
export async function acquireDeployLock(executor: Executor, options: AcquireDeployLockOptions): Promise<DeployLock> {
  const dir = options.dir ?? DEFAULT_DEPLOY_LOCK_DIR;
  const ttlMs = positive('ttlMs', options.ttlMs ?? DEFAULT_DEPLOY_LOCK_TTL_MS);
  const heartbeatMs = positive(
    'heartbeatMs',
    options.heartbeatMs ?? Math.min(DEFAULT_DEPLOY_LOCK_HEARTBEAT_MS, ttlMs / 4),
  );
  const waitMs = positive('waitMs', options.waitMs ?? 0, true);
  const pollMs = positive('pollMs', options.pollMs ?? 2_000);
  if (heartbeatMs >= ttlMs) {
    throw new DeployError('invalid_plan', `heartbeatMs (${heartbeatMs}) must be less than ttlMs (${ttlMs})`);
  }
  const started = performance.now();
  let holder: DeployLockStatus | undefined;
  let changedHands = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const tried = await attempt(executor, dir, ttlMs);
    if (tried.acquired) {
      const owner = ownerOf(options.owner, ttlMs);
      try {
        await executor.writeFile(`${dir}/owner.json`, `${JSON.stringify(owner)}\n`, { mode: 0o644 });
      } catch (error) {
        // Without owner.json nobody could tell whose it is: give it back (it would go stale anyway).
        await runScript(executor, `remove ${dir}`, 'rm -rf -- "$1"', [fromRoot(dir)]).catch(() => {});
        throw error;
      }
      return new HeldLock({ executor, dir, owner, tookOver: tried.tookOver, heartbeatMs });
    }
    holder = tried.holder ?? holder;
    const remaining = waitMs - (performance.now() - started);
    // It was released or taken over just now: look again at once, a few times.
    if (tried.holder === undefined && changedHands++ < 5) continue;
    if (remaining <= 0) {
      const waited = waitMs > 0 ? ` (waited ${formatDuration(waitMs)})` : '';
      const hint = holder?.owner ? `; if that deploy is gone, force-unlock run ${holder.owner.runId}` : '';
      const text = holder ? describeHolder(holder) : `${dir} on ${executor.host} is held`;
      throw new DeployLockError('deploy_locked', `Deploy lock ${text}${waited}${hint}`, { holder });
    }
    await sleep(Math.min(pollMs, remaining), undefined, { signal: options.signal });
  }
}
