import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * With `UsePAM no`, OpenSSH refuses an account whose password field starts with `!` even for a
 * key login, and many Debian and Ubuntu images lock root that way. When root is locked here, this
 * writes a copy of /etc/shadow in `dir` with root's field set to `*` (no password, not locked) and
 * returns its path, for a bind mount over /etc/shadow inside the test hosts only. Otherwise
 * (or when /etc/shadow is unreadable) returns undefined.
 */
export function lockedRootShadow(dir: string): string | undefined {
  let shadow: string;
  try {
    shadow = readFileSync('/etc/shadow', 'utf8');
  } catch {
    return undefined;
  }
  const lines = shadow.split('\n');
  const index = lines.findIndex((line) => line.startsWith('root:'));
  const fields = lines[index]?.split(':');
  if (!fields?.[1]?.startsWith('!')) return undefined;
  fields[1] = '*';
  lines[index] = fields.join(':');
  const copy = join(dir, 'shadow');
  writeFileSync(copy, lines.join('\n'), { mode: 0o640 });
  return copy;
}
