import { readdirSync, readFileSync } from 'node:fs';

/** State and parent of process `pid`, from `/proc/<pid>/stat` (undefined once it is gone). */
function procStat(pid: number | string): { state: string; parent: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields start after the last `)`.
    const [state = '', parent = ''] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, parent: Number(parent) };
  } catch {
    return undefined;
  }
}

/** Whether process `pid` runs (a zombie has exited: its shared memory is detached). */
export function running(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** The processes whose parent is `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && procStat(entry)?.parent === pid)
    .map(Number);
}

/**
 * Kills process `pid` and its children like a crash: it is stopped first, so it forks nothing
 * after its children are listed, then each gets SIGKILL. For a server whose workers have sessions
 * of their own (PostgreSQL's backends), which a kill of its process group misses. Returns every
 * process killed.
 */
export function crash(pid: number): number[] {
  try {
    process.kill(pid, 'SIGSTOP');
  } catch {
    return [];
  }
  const pids = [pid, ...childrenOf(pid)];
  for (const each of pids) {
    try {
      process.kill(each, 'SIGKILL');
    } catch {
      // It ended meanwhile.
    }
  }
  return pids;
}
