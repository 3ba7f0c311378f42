import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BindMount } from './sshd.ts';

/** The shell start-up files of root that bash reads for a command run over SSH. */
const ROOT_SHELL_FILES = ['/root/.bashrc'];

/**
 * Bind mounts of an empty file over root's shell start-up files, for the test hosts only: bash
 * reads `~/.bashrc` even for a command run over SSH, and this machine's (a pyenv `rehash`, which
 * waits up to 60 s on a lock a killed session leaves behind) would slow or stall every remote
 * command. A fresh VPS has no such set-up; neither do the test hosts.
 */
export function plainRootShell(dir: string): BindMount[] {
  const present = ROOT_SHELL_FILES.filter((file) => existsSync(file));
  if (present.length === 0) return [];
  const empty = join(dir, 'empty-shell-rc');
  writeFileSync(empty, '');
  return present.map((target) => ({ source: empty, target }));
}
