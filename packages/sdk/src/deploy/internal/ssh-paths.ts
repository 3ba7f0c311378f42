import { DeployError } from '../errors.ts';
import type { PathAttributes } from '../executor.ts';
import { shellJoin } from './shell-quote.ts';

/** Refuses a path that is not absolute on the host. */
export function checkPath(path: string): void {
  if (!path.startsWith('/')) throw new DeployError('invalid_path', `Not an absolute host path: ${path}`);
}

/** Checks that named accounts exist, failing as `chown` would, before anything is changed. */
export function accountChecks(attributes: PathAttributes): string[] {
  const checks: string[] = [];
  for (const [kind, name, database] of [
    ['user', attributes.owner, 'passwd'],
    ['group', attributes.group, 'group'],
  ] as const) {
    if (typeof name !== 'string') continue;
    const complaint = shellJoin(['echo', `invalid ${kind}: '${name}'`]);
    checks.push(`{ ${shellJoin(['getent', database, name])} >/dev/null || { ${complaint} >&2; exit 1; }; }`);
  }
  return checks;
}

/** `chown` and `chmod` words for `attributes`, names resolved by the host. */
export function attributeCommands(path: string, attributes: PathAttributes): string[] {
  const commands: string[] = [];
  const { owner, group, mode } = attributes;
  if (owner !== undefined || group !== undefined) {
    const spec = `${owner ?? ''}${group === undefined ? '' : `:${group}`}`;
    commands.push(shellJoin(['chown', '--', spec, path]));
  }
  // chmod after chown: chown clears setuid/setgid bits.
  if (mode !== undefined) commands.push(shellJoin(['chmod', (mode & 0o7777).toString(8), '--', path]));
  return commands;
}
