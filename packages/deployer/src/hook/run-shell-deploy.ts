import { type ChildProcess, spawn } from 'node:child_process';
import type { DeployFunction } from '@fleet/sdk/deploy';

/** The variable the hook reads its webhook secrets from (comma-separated while rotating). */
const SECRET_VARIABLE = 'FLEET_DEPLOY_SECRET';

/** How long a deploy command may run by default: 30 minutes. */
export const DEFAULT_SHELL_DEPLOY_TIMEOUT_MS = 30 * 60_000;

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options of {@link runShellDeploy}. */
export interface ShellDeployOptions {
  /**
   * The hook's shutdown: once it aborts, a queued deploy never starts (it is `aborted`, so a
   * redelivery runs it), and a running command gets SIGTERM (every process of its group).
   */
  signal?: AbortSignal;
  /**
   * The hook's active secrets: every variable of `env` whose value is one of them (or a
   * comma-separated list with one of them) is left out of the command's environment, whatever its
   * name; so is `FLEET_DEPLOY_SECRET`.
   * @default the comma-separated values of `env.FLEET_DEPLOY_SECRET`
   */
  secrets?: readonly string[];
  /**
   * How long the command may run: then its process group gets SIGTERM, SIGKILL `killAfterMs` later
   * if it has not ended, and the deploy fails (the queue records `deploy command timed out after …`).
   * @default 1_800_000 (30 minutes)
   */
  timeoutMs?: number;
  /** How long a timed-out command has between SIGTERM and SIGKILL. @default 10_000 */
  killAfterMs?: number;
}

/** The secrets in a value the way the hook reads `FLEET_DEPLOY_SECRET`: comma-separated, trimmed. */
function secretsIn(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/**
 * `env` without the webhook secrets: the site plan's unit also holds each secret under the name
 * the fleet file references (`FLEET_DEPLOY_SECRET: "${HOOK_SECRET}"` gives `HOOK_SECRET` too), so
 * variables are dropped by value, not only by name.
 */
function withoutSecrets(env: NodeJS.ProcessEnv, given: readonly string[] | undefined): NodeJS.ProcessEnv {
  const secrets = new Set([...(given ?? []), ...secretsIn(env[SECRET_VARIABLE])].filter((secret) => secret !== ''));
  return Object.fromEntries(
    Object.entries(env).filter(
      ([name, value]) => name !== SECRET_VARIABLE && !secretsIn(value).some((part) => secrets.has(part)),
    ),
  );
}

/** Sends `signal` to every process of the command's group. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * A deploy function that runs `command` with `sh -c`, its output on this process's, and the job in
 * `FLEET_DEPLOY_COMMIT`, `FLEET_DEPLOY_DELIVERY` and `FLEET_DEPLOY_PUSHER`: exit 0 is `ok`, another
 * status `failed`, a signal (or the hook's shutdown) `aborted`, running past `timeoutMs` a failure
 * (thrown, so the queue records the reason). The command's environment is `env` without the webhook
 * secrets (see {@link ShellDeployOptions.secrets}).
 *
 * @example
 * runShellDeploy('/var/lib/fleet/deploy-hook/deploy.sh', process.env, { timeoutMs: 20 * 60_000 })
 */
export function runShellDeploy(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  options: ShellDeployOptions = {},
): DeployFunction {
  const { signal, timeoutMs = DEFAULT_SHELL_DEPLOY_TIMEOUT_MS, killAfterMs = 10_000 } = options;
  const inherited = withoutSecrets(env, options.secrets);
  return (job) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        resolve({ status: 'aborted' });
        return;
      }
      // A process group of its own, so that a stop reaches every process the command started.
      const child = spawn('sh', ['-c', command], {
        detached: true,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...inherited,
          FLEET_DEPLOY_COMMIT: job.commit,
          FLEET_DEPLOY_DELIVERY: job.deliveryId,
          FLEET_DEPLOY_PUSHER: job.pusher ?? '',
        },
      });
      const stop = () => signalGroup(child, 'SIGTERM');
      let timedOut: 'SIGTERM' | 'SIGKILL' | undefined;
      let kill: NodeJS.Timeout | undefined;
      // Past 2^31 - 1 ms (about 24.8 days) setTimeout would fire at once: a longer limit is that long.
      const timeout = setTimeout(
        () => {
          timedOut = 'SIGTERM';
          stop();
          kill = setTimeout(() => {
            timedOut = 'SIGKILL';
            signalGroup(child, 'SIGKILL');
          }, killAfterMs);
        },
        Math.min(timeoutMs, MAX_TIMER_MS),
      );
      const settle = () => {
        clearTimeout(timeout);
        clearTimeout(kill);
        signal?.removeEventListener('abort', stop);
      };
      signal?.addEventListener('abort', stop, { once: true });
      child.once('error', (error) => {
        settle();
        reject(error);
      });
      child.once('exit', (code, exitSignal) => {
        settle();
        // Nothing a timed-out deploy started may run on beside the next one.
        if (timedOut !== undefined) signalGroup(child, 'SIGKILL');
        // Stopped by the hook's shutdown, however the command ended (a trap may exit 143).
        if (signal?.aborted) resolve({ status: 'aborted' });
        else if (timedOut !== undefined) {
          reject(new Error(`deploy command timed out after ${formatDuration(timeoutMs)} (stopped with ${timedOut})`));
        } else if (exitSignal !== null) resolve({ status: 'aborted' });
        else resolve({ status: code === 0 ? 'ok' : 'failed' });
      });
    });
}
