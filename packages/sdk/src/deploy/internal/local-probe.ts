import { createHash } from 'node:crypto';
import { lstat, readFile, readlink } from 'node:fs/promises';
import type { PathInfo } from '../executor.ts';
import type { LocalAccounts } from './accounts.ts';
import { DEFAULT_PROBE_MAX_BYTES } from './executor-defaults.ts';
import { pathTypeOf } from './path-type.ts';

/** What is at `file` on this machine (not following a final symlink), reported as `path`. */
export async function probeLocal(
  path: string,
  file: string,
  accounts: LocalAccounts,
  options: { content?: boolean; maxBytes?: number } = {},
): Promise<PathInfo> {
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return { path, exists: false };
    }
    throw error;
  }
  const type = pathTypeOf(stats.mode);
  const info: PathInfo = {
    path,
    exists: true,
    type,
    mode: stats.mode & 0o7777,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
  };
  const owner = accounts.userName(stats.uid);
  if (owner !== undefined) info.owner = owner;
  const group = accounts.groupName(stats.gid);
  if (group !== undefined) info.group = group;
  if (type === 'symlink') info.target = await readlink(file);
  if (type === 'file' && options.content === true) {
    const bytes = await readFile(file);
    info.sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length <= (options.maxBytes ?? DEFAULT_PROBE_MAX_BYTES)) info.content = bytes.toString('utf8');
  }
  return info;
}
