import { spawn } from 'node:child_process';
import type { DeployFunction } from '@fleet/sdk/deploy';

/**
 * A deploy function that runs `command` with `sh -c`, its output on this process's, and the job in
 * `FLEET_DEPLOY_COMMIT`, `FLEET_DEPLOY_DELIVERY` and `FLEET_DEPLOY_PUSHER`: exit 0 is `ok`, another
 * status `failed`, a signal `aborted`.
 *
 * @example
 * runShellDeploy('cd /srv/fleet && git fetch && git checkout "$FLEET_DEPLOY_COMMIT" && npm ci && npm run build && fleet deploy run --commit "$FLEET_DEPLOY_COMMIT"')
 */
export function runShellDeploy(command: string, env: NodeJS.ProcessEnv = process.env): DeployFunction {
  return (job) =>
    new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', command], {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...env,
          FLEET_DEPLOY_COMMIT: job.commit,
          FLEET_DEPLOY_DELIVERY: job.deliveryId,
          FLEET_DEPLOY_PUSHER: job.pusher ?? '',
        },
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (signal !== null) resolve({ status: 'aborted' });
        else resolve({ status: code === 0 ? 'ok' : 'failed' });
      });
    });
}
