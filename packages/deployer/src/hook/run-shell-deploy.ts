import { spawn } from 'node:child_process';
import type { DeployFunction } from '@fleet/sdk/deploy';

/** Variables of the hook itself that a deploy command has no use for: the webhook secrets. */
const HOOK_ONLY_VARIABLES = ['FLEET_DEPLOY_SECRET'];

/** Options of {@link runShellDeploy}. */
export interface ShellDeployOptions {
  /**
   * The hook's shutdown: once it aborts, a queued deploy never starts (it is `aborted`, so a
   * redelivery runs it), and a running command gets SIGTERM (every process of its group).
   */
  signal?: AbortSignal;
}

/**
 * A deploy function that runs `command` with `sh -c`, its output on this process's, and the job in
 * `FLEET_DEPLOY_COMMIT`, `FLEET_DEPLOY_DELIVERY` and `FLEET_DEPLOY_PUSHER`: exit 0 is `ok`, another
 * status `failed`, a signal (or the hook's shutdown) `aborted`. The command's environment is `env` without the webhook
 * secret (`FLEET_DEPLOY_SECRET`).
 *
 * @example
 * runShellDeploy('cd /srv/fleet && git fetch && git checkout "$FLEET_DEPLOY_COMMIT" && npm ci && npm run build && fleet deploy run --commit "$FLEET_DEPLOY_COMMIT"')
 */
export function runShellDeploy(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
  options: ShellDeployOptions = {},
): DeployFunction {
  const { signal } = options;
  const inherited = Object.fromEntries(Object.entries(env).filter(([name]) => !HOOK_ONLY_VARIABLES.includes(name)));
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
      const stop = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      };
      signal?.addEventListener('abort', stop, { once: true });
      child.once('error', (error) => {
        signal?.removeEventListener('abort', stop);
        reject(error);
      });
      child.once('exit', (code, exitSignal) => {
        signal?.removeEventListener('abort', stop);
        // Stopped by the hook's shutdown, however the command ended (a trap may exit 143).
        if (exitSignal !== null || signal?.aborted) resolve({ status: 'aborted' });
        else resolve({ status: code === 0 ? 'ok' : 'failed' });
      });
    });
}
