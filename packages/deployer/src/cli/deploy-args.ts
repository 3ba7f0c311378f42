import { numberArg, repeatedValues, UsageError } from '@fleet/sdk/cli';
import type { SshSettings } from '../deploy/connect-host.ts';
import type { SitePhase } from '../site/site-plan.ts';

/** The options every `fleet deploy` command takes. */
export const commonArgs = {
  config: { type: 'string', description: 'The fleet file', default: 'fleet.yaml', valueHint: 'file' },
  hosts: { type: 'string', description: 'Only these hosts; repeatable', valueHint: 'name' },
  group: { type: 'string', description: 'Only hosts of this group; repeatable', valueHint: 'group' },
  json: { type: 'boolean', description: 'Print one JSON object per line, for scripts', default: false },
  'known-hosts': {
    type: 'string',
    description: 'known_hosts file the host keys must be in (default: ~/.ssh/known_hosts)',
    valueHint: 'file',
  },
  identity: { type: 'string', description: 'Private key file (default: the SSH agent)', valueHint: 'file' },
  'accept-new-host-keys': {
    type: 'boolean',
    description: 'Trust and record keys of hosts known_hosts lacks',
    default: false,
  },
} as const;

/** The options of the commands that only talk to the lock host (history, unlock). */
export const lockHostArgs = {
  config: commonArgs.config,
  json: commonArgs.json,
  'known-hosts': commonArgs['known-hosts'],
  identity: commonArgs.identity,
} as const;

/** The options of the commands that take the deploy lock. */
export const lockArgs = {
  'lock-wait': {
    type: 'string',
    description: 'Wait this many seconds for a lock another deploy holds (default: fail at once)',
    valueHint: 'seconds',
  },
  message: { type: 'string', description: 'Why: recorded in the lock and the history' },
  commit: { type: 'string', description: 'The commit deployed: recorded in the lock and the history' },
} as const;

/** Hosts and groups from repeatable `--hosts` and `--group` (each may also be comma-separated). */
export function selection(rawArgs: readonly string[]): { hosts?: string[]; groups?: string[] } {
  const split = (values: string[]) => values.flatMap((value) => value.split(',')).filter((value) => value !== '');
  const hosts = split(repeatedValues(rawArgs, 'hosts'));
  const groups = split(repeatedValues(rawArgs, 'group'));
  return { ...(hosts.length > 0 ? { hosts } : {}), ...(groups.length > 0 ? { groups } : {}) };
}

/** The phases of repeatable `--phase`, or every phase. */
export function phasesArg(rawArgs: readonly string[]): SitePhase[] | undefined {
  const phases = repeatedValues(rawArgs, 'phase').flatMap((value) => value.split(','));
  return phases.length > 0 ? (phases as SitePhase[]) : undefined;
}

/** SSH settings from the command line. */
export function sshArgs(args: {
  'known-hosts'?: string | undefined;
  identity?: string | undefined;
  'accept-new-host-keys'?: boolean | undefined;
}): SshSettings {
  return {
    ...(args['known-hosts'] ? { knownHostsFile: args['known-hosts'] } : {}),
    ...(args.identity ? { identity: args.identity } : {}),
    ...(args['accept-new-host-keys'] ? { acceptNewHostKeys: true } : {}),
  };
}

/** `--lock-wait` in milliseconds. */
export function lockWaitMs(value: string | undefined): number | undefined {
  const seconds = numberArg(value, 'lock-wait', { min: 0, max: 86_400 });
  return seconds === undefined ? undefined : seconds * 1000;
}

/** A usage error carrying a fleet file's problems (printed one per line before it). */
export function usageFailure(message: string): UsageError {
  return new UsageError(message);
}
