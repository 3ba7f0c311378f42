import { assertAccountName } from '../internal/account-name.ts';
import { commandFailure, runChecked } from '../internal/run-checked.ts';
import { shellQuote } from '../internal/shell-quote.ts';
import type { Step, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';
import type { StepChange } from '../step-result.ts';

/** Options of {@link userStep}. */
export interface UserStepOptions extends StepOptions {
  /** The user's name, e.g. `fleet`. */
  user: string;
  /** A system user (a uid from the system range, no aging), as services use. @default false */
  system?: boolean;
  /** Home directory. @default useradd's (`/home/<user>`); an existing user's is kept */
  home?: string;
  /** Login shell, e.g. `/usr/sbin/nologin`. @default useradd's; an existing user's is kept */
  shell?: string;
  /** Supplementary groups it must be in (it may be in others too); they must exist. */
  groups?: readonly string[];
  /** Create the home directory when creating the user. @default useradd's (no, on Debian) */
  createHome?: boolean;
  /**
   * Its primary group, which must exist (e.g. made by a `groupStep` before). Without it, useradd
   * makes a group named after the user, and fails when one exists already.
   * @default useradd's
   */
  group?: string;
}

interface FoundUser {
  home: string;
  shell: string;
  groups: string[];
  primaryGroup: string;
}

/** `getent passwd`, `id -Gn` and `id -gn`, in one command: the passwd line, every group, the primary group. */
function lookupCommand(user: string): string {
  return `getent passwd ${shellQuote(user)} && id -Gn ${shellQuote(user)} && id -gn ${shellQuote(user)}`;
}

function parseLookup(stdout: string): FoundUser {
  const [passwd = '', groups = '', primary = ''] = stdout.split('\n');
  const fields = passwd.split(':');
  return {
    home: fields[5] ?? '',
    shell: fields[6] ?? '',
    groups: groups.split(' ').filter(Boolean),
    primaryGroup: primary.trim(),
  };
}

/**
 * A user that exists, with the given home, shell and supplementary groups. Its check is one
 * command (`getent passwd` and `id -Gn`); its apply is `useradd` for a missing user, or one
 * `usermod` that sets the home (without moving it), the shell and adds missing groups
 * (`-aG`: groups it is in besides those are kept).
 *
 * @example userStep({ user: 'fleet', system: true, home: '/var/lib/fleet', shell: '/usr/sbin/nologin', groups: ['fleet'] })
 */
export function userStep(options: UserStepOptions): Step {
  assertAccountName('user', options.user);
  if (options.group !== undefined) assertAccountName('group', options.group);
  for (const group of options.groups ?? []) assertAccountName('group', group);
  const target = `user ${options.user}`;
  const wantedGroups = options.groups ?? [];
  const describe = (): string => {
    const parts: string[] = [];
    if (options.home !== undefined) parts.push(`home ${options.home}`);
    if (options.shell !== undefined) parts.push(`shell ${options.shell}`);
    if (options.group !== undefined) parts.push(`primary group ${options.group}`);
    if (wantedGroups.length > 0) parts.push(`groups ${wantedGroups.join(',')}`);
    const what = options.system === true ? 'system user' : 'user';
    return parts.length === 0 ? `create ${what}` : `create ${what} (${parts.join(', ')})`;
  };
  return {
    ...stepBase('user', target, options),
    async check(context) {
      const command = lookupCommand(options.user);
      const result = await context.executor.run(command);
      // getent exits 2 for a name it does not know.
      if (result.exitCode === 2) return [{ action: 'create', target, summary: describe() }];
      if (result.exitCode !== 0) throw commandFailure(command, result);
      const found = parseLookup(result.stdout);
      const changes: StepChange[] = [];
      if (options.home !== undefined && found.home !== options.home) {
        changes.push({ action: 'update', target, summary: `home ${found.home} -> ${options.home}` });
      }
      if (options.shell !== undefined && found.shell !== options.shell) {
        changes.push({ action: 'update', target, summary: `shell ${found.shell} -> ${options.shell}` });
      }
      if (options.group !== undefined && found.primaryGroup !== options.group) {
        changes.push({ action: 'update', target, summary: `primary group ${found.primaryGroup} -> ${options.group}` });
      }
      const missing = wantedGroups.filter((group) => !found.groups.includes(group));
      if (missing.length > 0) changes.push({ action: 'update', target, summary: `add to groups ${missing.join(',')}` });
      return changes;
    },
    async apply(context, planned) {
      const creating = planned !== 'may change' && planned.some((change) => change.action === 'create');
      const args: string[] = [];
      // useradd calls it --home-dir, usermod --home (which sets it without moving the old one).
      if (options.home !== undefined) args.push(creating ? '--home-dir' : '--home', options.home);
      if (options.shell !== undefined) args.push('--shell', options.shell);
      if (options.group !== undefined) args.push('--gid', options.group);
      if (creating) {
        if (options.system === true) args.push('--system');
        if (options.createHome !== undefined) args.push(options.createHome ? '--create-home' : '--no-create-home');
        if (wantedGroups.length > 0) args.push('--groups', wantedGroups.join(','));
      } else if (wantedGroups.length > 0) {
        // -aG adds; groups the user is in besides these stay.
        args.push('--append', '--groups', wantedGroups.join(','));
      }
      const command = [creating ? 'useradd' : 'usermod', ...args, options.user];
      const result = await runChecked(context, command);
      return { output: result.output };
    },
  };
}
