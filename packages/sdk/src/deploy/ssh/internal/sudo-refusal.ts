import { DeployError } from '../../errors.ts';

// What sudo -n prints when it will not run a command without a password, or for this user at all.
const REFUSAL =
  /^(?:sudo: a password is required|sudo: a terminal is required|Sorry, user \S+ (?:is not allowed|may not run sudo)|\S+ is not in the sudoers file)/;
// The login shell's complaint when there is no sudo at all (`exec sudo` in dash, or bash).
const MISSING = /(?:^|: )sudo: (?:command )?not found$/;

/**
 * The clear error for a command that sudo refused to run (or that found no sudo): `undefined`
 * unless every line of `output` is sudo's own (warnings such as "unable to resolve host" may come
 * first), so a command's own output is never taken for it.
 */
export function sudoRefusal(host: string, username: string, output: string): DeployError | undefined {
  const lines = output.trim().split('\n');
  const refusal = lines.find((line) => REFUSAL.test(line));
  const missing = lines.find((line) => MISSING.test(line));
  if (!lines.every((line) => line === refusal || line === missing || line.startsWith('sudo: '))) return undefined;
  if (missing) {
    return new DeployError(
      'executor_failed',
      `sudo is not installed on ${host}: the deploy user ${username} is not root, so it needs sudo with NOPASSWD (or log in as root)`,
      { output },
    );
  }
  if (!refusal) return undefined;
  return new DeployError(
    'executor_failed',
    `sudo on ${host} refused ${username} (${refusal.trim()}): a deploy user other than root needs passwordless sudo. ` +
      `Configure NOPASSWD for it, e.g. "${username} ALL=(ALL:ALL) NOPASSWD: ALL" in /etc/sudoers.d/fleet-deploy (edit with visudo -f), or log in as root`,
    { output },
  );
}
