import type { PathAttributes } from '../../executor.ts';
import { tempName } from '../../internal/temp-name.ts';
import type { AccountIds } from './remote-accounts.ts';
import type { SftpCalls } from './sftp-calls.ts';

/**
 * Replaces `path` over SFTP, for a root login: a new temp file beside it (0600), its owner and mode
 * set (those asked for, else the replaced file's, else the login user's and 0644),
 * `fsync@openssh.com`, then `posix-rename@openssh.com` over `path`. The temp file is removed if
 * anything fails.
 */
export async function sftpWriteFile(
  sftp: SftpCalls,
  path: string,
  content: Buffer,
  attributes: PathAttributes,
  ids: AccountIds,
): Promise<void> {
  const temp = tempName(path);
  const existing = await sftp.lstat(path);
  const keep = existing?.isFile() ? existing : undefined;
  const uid = ids.uid ?? keep?.uid;
  const gid = ids.gid ?? keep?.gid;
  const handle = await sftp.create(temp, 0o600);
  try {
    try {
      await sftp.write(handle, content);
      if (uid !== undefined || gid !== undefined) {
        // SFTP wants both ids: -1 is chown's "leave it".
        await sftp.fsetstat(handle, { uid: uid ?? -1, gid: gid ?? -1 });
      }
      await sftp.fsetstat(handle, { mode: attributes.mode ?? (keep ? keep.mode & 0o7777 : 0o644) });
      await sftp.fsync(handle);
    } finally {
      await sftp.closeHandle(handle);
    }
    await sftp.rename(temp, path);
  } catch (error) {
    await sftp.unlink(temp).catch(() => {});
    throw error;
  }
}

/** Points the symlink `path` at `target` over SFTP: a temp symlink renamed over it. */
export async function sftpSymlink(sftp: SftpCalls, target: string, path: string): Promise<void> {
  const temp = tempName(path);
  await sftp.symlink(target, temp);
  try {
    await sftp.rename(temp, path);
  } catch (error) {
    await sftp.unlink(temp).catch(() => {});
    throw error;
  }
}
