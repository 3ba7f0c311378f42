import { spawnSync } from 'node:child_process';
import { hasSystemCommand, reportMissing } from '../system-deps.ts';
import { SSHD_PATH } from './sshd.ts';

const COMMANDS: [command: string, debianPackage: string][] = [
  [SSHD_PATH, 'openssh-server'],
  ['ssh-keygen', 'openssh-client'],
  ['ip', 'iproute2'],
  ['unshare', 'util-linux'],
  ['mount', 'mount'],
];

function isRoot(): boolean {
  if (process.getuid?.() === 0) return true;
  return reportMissing('the test hosts need root (network namespaces, veth pairs, bind mounts, sshd as root)');
}

function canCreateNamespaces(): boolean {
  const probe = spawnSync('unshare', ['--net', '--mount', '--uts', 'true'], { encoding: 'utf8' });
  if (probe.status === 0) return true;
  const why = probe.stderr?.trim() || probe.error?.message || `exit ${probe.status}`;
  return reportMissing(
    `the test hosts cannot create namespaces (unshare --net --mount --uts true: ${why}); run as root with CAP_SYS_ADMIN`,
  );
}

let available: boolean | undefined;

/**
 * Whether this machine can run test hosts: root, namespaces allowed, and `sshd` (openssh-server),
 * `ssh-keygen`, `ip` (iproute2), `unshare` (util-linux) and `mount` installed. When not, says so
 * loudly once and returns false so the suite can skip, or throws when `FLEET_REQUIRE_SYSTEM_DEPS=1`
 * (as `.ci/run` sets).
 *
 * @example
 * describe.skipIf(!hasTestHostDeps())('deploy onto real hosts', () => { ... })
 */
export function hasTestHostDeps(): boolean {
  available ??= isRoot() && COMMANDS.every(([command, pkg]) => hasSystemCommand(command, pkg)) && canCreateNamespaces();
  return available;
}
