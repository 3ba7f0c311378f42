import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BindMount } from './sshd.ts';

const STAND_IN = fileURLToPath(new URL('../systemctl-stand-in.mjs', import.meta.url));

/**
 * The bind mounts that put the stand-in systemctl in place of this machine's (each distinct file
 * of /usr/bin/systemctl and /bin/systemctl that exists): a shell wrapper written in `dir` that runs
 * it with this Node, which may not be on the hosts' PATH.
 */
export function standInMounts(dir: string): BindMount[] {
  const wrapper = join(dir, 'systemctl');
  writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${STAND_IN}' "$@"\n`, { mode: 0o755 });
  const targets = new Set(
    ['/usr/bin/systemctl', '/bin/systemctl'].filter(existsSync).map((file) => realpathSync(file)),
  );
  return [...targets].map((target) => ({ source: wrapper, target }));
}
