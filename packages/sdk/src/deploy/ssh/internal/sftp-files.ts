import type { PathAttributes } from '../../executor.ts';
import { tempName } from '../../internal/temp-name.ts';
import type { AccountIds } from './remote-accounts.ts';
import type { SftpCalls } from './sftp-calls.ts';

/**
 * Replaces `path` over SFTP, for a root login: a new temp file beside it (0600), its owner and mode
 * set (those asked for, else the replaced file's, else the login user's and 0644),
 * `fsync@openssh.com`, then `posix-rename@openssh.com` over `path`. The temp file is removed if
 * anything fails; when the session is gone and it cannot be, it is handed to `leftover`.
 */
export async function sftpWriteFile(
  sftp: SftpCalls,
  path: string,
  content: Buffer,
  attributes: PathAttributes,
  ids: AccountIds,
  leftover: (temp: string) => void,
): Promise<void> {
  const temp = tempName(path);
  const existing = await sftp.lstat(path);
  const keep = existing?.isFile() ? existing : undefined;
  const uid = ids.uid ?? keep?.uid;
  const gid = ids.gid ?? keep?.gid;
  const handle = await created(sftp, () => sftp.create(temp, 0o600), temp, leftover);
  try {
    try {
      await sftp.write(handle, content);
      if (uid !== undefined || gid !== undefined) {
        // SFTP wants both ids: -1 is chown's "leave it".
        await sftp.fsetstat(handle, { uid: uid ?? -1, gid: gid ?? -1 });
      }
      await sftp.fsetstat(handle, { mode: attributes.mode ?? (keep ? keep.mode & 0o7777 : 0o644) });
      await sftp.fsync(handle);
    } catch (error) {
      // The first failure is the one to report (the close fails at once too if the session is gone).
      await sftp.closeHandle(handle).catch(() => {});
      throw error;
    }
    await sftp.closeHandle(handle);
    await sftp.rename(temp, path);
  } catch (error) {
    await removeTemp(sftp, temp, leftover);
    throw error;
  }
}

/**
 * Points the symlink `path` at `target` over SFTP: a temp symlink renamed over it, removed if the
 * rename fails (handed to `leftover` when the session is gone and it cannot be).
 */
export async function sftpSymlink(
  sftp: SftpCalls,
  target: string,
  path: string,
  leftover: (temp: string) => void,
): Promise<void> {
  const temp = tempName(path);
  await created(sftp, () => sftp.symlink(target, temp), temp, leftover);
  try {
    await sftp.rename(temp, path);
  } catch (error) {
    await removeTemp(sftp, temp, leftover);
    throw error;
  }
}

/** `create()`'s value; when it fails because the session went, the host may have made `temp` all the same. */
async function created<T>(
  sftp: SftpCalls,
  create: () => Promise<T>,
  temp: string,
  leftover: (temp: string) => void,
): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (sftp.gone) leftover(temp);
    throw error;
  }
}

/** Removes `temp`, or hands it to `leftover` when the session is gone (no request could reach the host). */
async function removeTemp(sftp: SftpCalls, temp: string, leftover: (temp: string) => void): Promise<void> {
  if (sftp.gone) return leftover(temp);
  await sftp.unlink(temp).catch(() => {
    if (sftp.gone) leftover(temp);
  });
}
