import { DEFAULT_PORTS } from '@fleet/sdk';
import {
  durationArg,
  numberArg,
  output,
  repeatedValues,
  strictArgs,
  tokensFrom,
  UsageError,
  untilSignal,
} from '@fleet/sdk/cli';
import type { DeployFunction } from '@fleet/sdk/deploy';
import { defineCommand } from 'citty';
import { commonArgs, lockWaitMs, sshArgs } from '../cli/deploy-args.ts';
import { deploy } from '../deploy/deploy.ts';
import { fleetDeployHistory } from '../deploy/lock-host.ts';
import { DEFAULT_SHELL_DEPLOY_TIMEOUT_MS, runShellDeploy } from '../hook/run-shell-deploy.ts';
import { startDeployHookServer } from '../hook/start-deploy-hook-server.ts';

/** The active secrets: every `--secret`, else `FLEET_DEPLOY_SECRET` (comma-separated); one or two. */
function secretsFrom(rawArgs: readonly string[]): string[] {
  const given = repeatedValues(rawArgs, 'secret');
  const values = given.length > 0 ? given : (process.env.FLEET_DEPLOY_SECRET ?? '').split(',');
  const secrets = [...new Set(values.map((value) => value.trim()).filter(Boolean))];
  if (secrets.length === 0) {
    throw new UsageError(
      'fleet deploy hook needs a secret (--secret or FLEET_DEPLOY_SECRET): there is no unsigned mode',
    );
  }
  if (secrets.length > 2) throw new UsageError(`at most two secrets may be active (rotation), got ${secrets.length}`);
  return secrets;
}

/** `fleet deploy hook`: the signed deploy webhook, deploying pushes to one repository and ref. */
export const hookCommand = defineCommand({
  meta: {
    name: 'hook',
    description: 'Serve the signed deploy webhook: a push to the repository and ref deploys, one at a time',
  },
  plugins: [strictArgs],
  args: {
    config: commonArgs.config,
    'known-hosts': commonArgs['known-hosts'],
    identity: commonArgs.identity,
    secret: {
      type: 'string',
      description: 'Webhook secret; give it twice while rotating (default: $FLEET_DEPLOY_SECRET, comma-separated)',
      valueHint: 'secret',
    },
    repository: {
      type: 'string',
      description: 'The repository whose pushes deploy (default: $FLEET_DEPLOY_REPOSITORY)',
      valueHint: 'owner/name',
    },
    ref: {
      type: 'string',
      description: 'The ref whose pushes deploy (default: $FLEET_DEPLOY_REF, else refs/heads/main)',
      valueHint: 'ref',
    },
    run: {
      type: 'string',
      description:
        'Run this shell command for a deploy instead of `fleet deploy run` (gets $FLEET_DEPLOY_COMMIT; default: $FLEET_DEPLOY_RUN)',
      valueHint: 'command',
    },
    timeout: {
      type: 'string',
      description:
        'Stop a --run command after this long, e.g. 20m (SIGTERM, then SIGKILL 10s later) and fail the deploy (default: $FLEET_DEPLOY_TIMEOUT, else 30m)',
      valueHint: 'duration',
    },
    state: {
      type: 'string',
      description: 'JSON file that keeps handled deliveries and the deployed commit across restarts (default: memory)',
      valueHint: 'file',
    },
    'lock-wait': {
      type: 'string',
      description: 'Wait this many seconds for a lock another deploy holds (default: fail at once)',
      valueHint: 'seconds',
    },
    host: { type: 'string', description: 'Address to bind', default: '127.0.0.1', valueHint: 'host' },
    port: {
      type: 'string',
      description: 'Port to bind (0 picks a free one)',
      default: String(DEFAULT_PORTS.deployHook),
      valueHint: 'port',
    },
    token: {
      type: 'string',
      description: 'Bearer token GET /deploys needs; repeatable, merged with $FLEET_DEPLOY_HOOK_TOKENS',
      valueHint: 'token',
    },
  },
  async run({ args, rawArgs }) {
    const secrets = secretsFrom(rawArgs);
    const repository = args.repository || process.env.FLEET_DEPLOY_REPOSITORY;
    const ref = args.ref || process.env.FLEET_DEPLOY_REF || 'refs/heads/main';
    const command = args.run || process.env.FLEET_DEPLOY_RUN;
    if (!repository) throw new UsageError('--repository owner/name (or FLEET_DEPLOY_REPOSITORY) is required');
    if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
      throw new UsageError(`--repository must be owner/name, got "${repository}"`);
    }
    const port = numberArg(args.port, 'port', { integer: true, min: 0, max: 65_535 }) ?? DEFAULT_PORTS.deployHook;
    const wait = lockWaitMs(args['lock-wait']);
    const timeoutMs =
      durationArg(args.timeout || process.env.FLEET_DEPLOY_TIMEOUT || undefined, 'timeout', 1) ??
      DEFAULT_SHELL_DEPLOY_TIMEOUT_MS;
    const stop = untilSignal();
    // The running deploy stops at shutdown (its lock held until it has), and one still queued
    // never starts: aborted, so a redelivery after the restart runs it.
    const run: DeployFunction = command
      ? runShellDeploy(command, process.env, { signal: stop.signal, secrets, timeoutMs })
      : async ({ commit }) => {
          if (stop.signal.aborted) return { status: 'aborted' };
          const { run: recorded } = await deploy({
            config: args.config,
            mode: 'apply',
            trigger: 'webhook',
            commit,
            ssh: sshArgs(args),
            signal: stop.signal,
            ...(wait !== undefined ? { lockWaitMs: wait } : {}),
          });
          return { status: recorded.status };
        };
    try {
      const hook = await startDeployHookServer({
        secrets,
        repository,
        ref,
        run,
        host: args.host,
        port,
        tokens: tokensFrom(rawArgs, 'FLEET_DEPLOY_HOOK_TOKENS'),
        ...(args.state ? { stateFile: args.state } : {}),
        logger: { info: output.info, warn: output.warn, error: output.error },
        // GET /deploys lists the deployer's history too, read from the lock host as deploys reach it.
        history: fleetDeployHistory({ config: args.config, ssh: sshArgs(args) }),
      });
      output.log(`fleet deploy hook listening on ${hook.url}/webhook for ${repository} ${ref}`);
      if (!stop.signal.aborted) {
        await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
      }
      await hook.close();
    } finally {
      stop.dispose();
    }
  },
});
