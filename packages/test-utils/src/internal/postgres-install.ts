import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportMissing } from '../system-deps.ts';

/** Where Debian's `postgresql-<major>` packages put the server binaries. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

/** Every throwaway cluster's temp dir is named `fleet-pg-<owner pid>-<mkdtemp suffix>`. */
export const PG_TMPDIR_PREFIX = 'fleet-pg-';
const OWNED = /^fleet-pg-(\d+)-/;

/** The bin directory of the newest PostgreSQL installed (`/usr/lib/postgresql/<major>/bin`), or undefined. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const majors = readdirSync(DEBIAN_ROOT)
    .filter((entry) => /^\d+$/.test(entry) && existsSync(join(DEBIAN_ROOT, entry, 'bin', 'initdb')))
    .map(Number)
    .sort((a, b) => b - a);
  return majors[0] === undefined ? undefined : join(DEBIAN_ROOT, String(majors[0]), 'bin');
}

/** The uid and gid a cluster runs as: `postgres` when we are root (PostgreSQL refuses root), else ourselves. */
export interface ClusterUser {
  uid: number;
  gid: number;
}

/** The `postgres` account's ids, read with `id` (no passwd parsing of our own). */
function postgresAccount(): ClusterUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** The user to run the server as; undefined (with the loud message) when root has no `postgres` account. */
export function clusterUser(): ClusterUser | undefined {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? 0 };
  const account = postgresAccount();
  if (account) return account;
  reportMissing(
    'PostgreSQL refuses to run as root and there is no postgres user: install the Debian package postgresql',
  );
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Kills the servers and removes the temp dirs that earlier runs left behind (their owner process
 * is gone: killed with SIGKILL, or a crash). Clusters of runs still alive are left alone.
 */
export function sweepLeftoverClusters(): void {
  for (const entry of readdirSync(tmpdir())) {
    const owner = OWNED.exec(entry)?.[1];
    if (!entry.startsWith(PG_TMPDIR_PREFIX) || !owner || isAlive(Number(owner))) continue;
    const dir = join(tmpdir(), entry);
    try {
      const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(-pid, 'SIGKILL');
    } catch {
      // No server running there any more.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
