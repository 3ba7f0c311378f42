import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';

/** What a test login user may do through sudo. */
export type SudoRights = 'nopasswd' | 'password' | 'none';

/** A login user made for one suite, and how to remove it again. */
export interface DeployUser {
  name: string;
  sudo: SudoRights;
  /** Deletes the user, its home and its sudoers drop-in (idempotent). */
  remove(): void;
}

/**
 * Creates a uniquely named login user on this machine (whose `/etc/passwd`, `/home` and
 * `/etc/sudoers.d` the test hosts share): not locked (`useradd -p '*'`, since sshd with `UsePAM no`
 * refuses a `!` password field), with a sudoers drop-in for `sudo` rights, checked by `visudo -c`.
 * Create it before `startTestHosts()`, which may copy `/etc/shadow`; authorize its key with the
 * run's `authorize(name)`; call `remove()` in `afterAll`.
 */
export function addDeployUser(sudo: SudoRights): DeployUser {
  const name = `fltdeploy${randomBytes(4).toString('hex')}`;
  const dropIn = `/etc/sudoers.d/fleet-test-${name}`;
  execFileSync('useradd', ['-m', '-p', '*', '-s', '/bin/sh', name]);
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    rmSync(dropIn, { force: true });
    execFileSync('userdel', ['-r', '-f', name], { stdio: 'ignore' });
  };
  try {
    if (sudo !== 'none') {
      const rule = sudo === 'nopasswd' ? 'NOPASSWD: ALL' : 'ALL';
      writeFileSync(dropIn, `${name} ALL=(ALL:ALL) ${rule}\n`, { mode: 0o440 });
      execFileSync('visudo', ['-c', '-q', '-f', dropIn]);
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { name, sudo, remove };
}
