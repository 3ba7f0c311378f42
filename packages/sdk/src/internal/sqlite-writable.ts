import { accessSync, constants } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Why `access(path, W_OK)` fails, or undefined when it does not. */
function writeRefusal(path: string): string | undefined {
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'EACCES';
  }
}

/** This process's user, for a message about permissions. */
function processUser(): string {
  const uid = process.getuid?.();
  return uid === undefined ? 'this process' : `this process (uid ${uid})`;
}

/**
 * Why this process cannot keep the SQLite file at `path` in WAL mode, or undefined when it can:
 * SQLite opens a file it may not write read-only without a word, and every write then fails; WAL
 * mode also creates `<path>-wal` and `<path>-shm` next to the file. Checks permissions only
 * (`access`), without touching the file. A file not created yet needs only its directory.
 */
export function readOnlyReason(path: string, exists: boolean): string | undefined {
  const file = exists ? writeRefusal(path) : undefined;
  if (file === 'EROFS') return 'it is on a read-only filesystem';
  if (file !== undefined && file !== 'ENOENT') return `the file is read-only to ${processUser()}`;
  const directory = dirname(path);
  const folder = writeRefusal(directory);
  if (folder === 'EROFS') return 'it is on a read-only filesystem';
  if (folder !== undefined) {
    const name = basename(path);
    const creates = exists ? `${name}-wal and ${name}-shm next to it` : 'it there';
    return `its directory ${directory} is read-only to ${processUser()}, so SQLite cannot create ${creates}`;
  }
  return undefined;
}
