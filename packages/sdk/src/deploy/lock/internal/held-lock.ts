import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Executor } from '../../executor.ts';
import { fromRoot, runScript, runScriptUnderFlock, scriptFailed } from '../../internal/host-script.ts';
import type { DeployLock } from '../deploy-lock.ts';
import { DeployLockError } from '../deploy-lock-error.ts';
import type { DeployLockOwner } from '../deploy-lock-owner.ts';
import type { DeployLockStatus } from '../deploy-lock-status.ts';
import { formatDuration } from './describe-holder.ts';
import { HEARTBEAT, REMOVE } from './lock-scripts.ts';

/** What a {@link HeldLock} is made with. */
export interface HeldLockOptions {
  executor: Executor;
  dir: string;
  owner: DeployLockOwner;
  tookOver: DeployLockStatus | undefined;
  heartbeatMs: number;
}

/** A unique name beside `dir`, to rename it to before removing it. */
export function asideName(dir: string, why: string): string {
  return `${dir}.${why}-${randomBytes(6).toString('hex')}`;
}

/** The {@link DeployLock} that acquireDeployLock returns. */
export class HeldLock implements DeployLock {
  readonly executor: Executor;
  readonly dir: string;
  readonly owner: DeployLockOwner;
  readonly tookOver: DeployLockStatus | undefined;
  readonly lost: Promise<DeployLockError>;
  readonly #abort = new AbortController();
  readonly #heartbeatMs: number;
  readonly #resolveLost: (error: DeployLockError) => void;
  readonly #timer: NodeJS.Timeout;
  #deadline: NodeJS.Timeout | undefined;
  #lostError: DeployLockError | undefined;
  #beating: Promise<void> | undefined;
  #releasing: Promise<boolean> | undefined;

  constructor(options: HeldLockOptions) {
    this.executor = options.executor;
    this.dir = options.dir;
    this.owner = options.owner;
    this.tookOver = options.tookOver;
    this.#heartbeatMs = options.heartbeatMs;
    let resolve!: (error: DeployLockError) => void;
    this.lost = new Promise((done) => {
      resolve = done;
    });
    this.#resolveLost = resolve;
    this.#timer = setInterval(() => {
      this.heartbeat().catch(() => {});
    }, this.#heartbeatMs);
    this.#timer.unref();
    this.#armDeadline();
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get isLost(): boolean {
    return this.#lostError !== undefined;
  }

  heartbeat(): Promise<void> {
    if (this.#lostError) return Promise.reject(this.#lostError);
    if (this.#releasing) {
      return Promise.reject(new DeployLockError('deploy_lock_lost', `The deploy lock ${this.dir} was released`));
    }
    this.#beating ??= this.#beat().finally(() => {
      this.#beating = undefined;
    });
    return this.#beating;
  }

  abort(reason?: unknown): void {
    this.#abort.abort(reason);
  }

  release(): Promise<boolean> {
    this.#releasing ??= this.#release();
    return this.#releasing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release().then(() => {});
  }

  async #beat(): Promise<void> {
    const what = `heartbeat the deploy lock ${this.dir}`;
    const result = await runScript(this.executor, what, HEARTBEAT, [fromRoot(this.dir), this.owner.token], {
      timeoutMs: this.owner.ttlMs,
    });
    if (this.#lostError || this.#releasing) return;
    if (result.exitCode === 0) {
      this.#armDeadline();
      return;
    }
    if (result.exitCode === 3) {
      this.#lose(`it was removed or taken over on ${this.executor.host} (force-unlocked, or stale and taken over)`);
      throw this.#lostError;
    }
    throw scriptFailed(this.executor, what, result);
  }

  async #release(): Promise<boolean> {
    // Whatever still runs under this lock stops before it is gone.
    this.#abort.abort(new DeployLockError('deploy_lock_lost', `The deploy lock ${this.dir} was released`));
    this.#stop();
    const what = `release the deploy lock ${this.dir}`;
    const args = [fromRoot(this.dir), this.owner.token, fromRoot(asideName(this.dir, 'released'))];
    const result = await runScriptUnderFlock(this.executor, what, posix.dirname(this.dir), REMOVE, args, {
      create: false,
    });
    if (result.exitCode === 0) return true;
    if (result.exitCode === 3) return false;
    throw scriptFailed(this.executor, what, result);
  }

  // Lost when no heartbeat got through for ttl - heartbeat: a heartbeat's period before anyone may
  // find the lock stale, so this holder stops first.
  #armDeadline(): void {
    if (this.#deadline) clearTimeout(this.#deadline);
    const after = this.owner.ttlMs - this.#heartbeatMs;
    this.#deadline = setTimeout(() => {
      this.#lose(`no heartbeat reached ${this.executor.host} for ${formatDuration(after)}`);
    }, after);
    this.#deadline.unref();
  }

  #lose(why: string): void {
    if (this.#lostError) return;
    this.#lostError = new DeployLockError(
      'deploy_lock_lost',
      `Lost the deploy lock ${this.dir} on ${this.executor.host} (run ${this.owner.runId}): ${why}`,
    );
    this.#stop();
    this.#resolveLost(this.#lostError);
    this.#abort.abort(this.#lostError);
  }

  #stop(): void {
    clearInterval(this.#timer);
    if (this.#deadline) clearTimeout(this.#deadline);
  }
}
