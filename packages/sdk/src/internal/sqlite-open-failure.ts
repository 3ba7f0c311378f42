import { existsSync, statSync } from 'node:fs';
import { isFleetError } from '../errors.ts';
import type { SqliteFileKind } from './sqlite-file-kind.ts';
import { readOnlyReason } from './sqlite-writable.ts';

/** `the <store>'s SQLite file`, as refusals name the role of a file. */
const role = (kind: SqliteFileKind) => `the ${kind.store}'s SQLite file`;

/**
 * Refuses, in one line naming the file and why, a file this process could open only read-only
 * (SQLite would open it so without a word, and every write would fail): a read-only file, a
 * directory where its `-wal` and `-shm` cannot be created, a read-only filesystem.
 */
export function assertWritable(path: string, kind: SqliteFileKind): void {
  const reason = readOnlyReason(path, existsSync(path));
  if (reason) throw new Error(`${path} cannot be used as ${role(kind)}: ${reason}`);
}

/** What a SQLite failure while opening means, by its primary code, but for `SQLITE_NOTADB`. */
const FAILURES: Readonly<Record<string, string>> = {
  SQLITE_FULL: 'the disk is full (database or disk is full)',
  SQLITE_CORRUPT: 'the file is corrupt (database disk image is malformed)',
  SQLITE_READONLY: 'SQLite may only read it (attempt to write a readonly database)',
  SQLITE_CANTOPEN: 'SQLite cannot open or create it (unable to open database file)',
  SQLITE_PERM: 'access was denied (access permission denied)',
};

/** What a SQLite failure while opening means, by its code (`SQLITE_CANTOPEN_ISDIR` as `SQLITE_CANTOPEN`). */
function knownFailure(code: string, kind: SqliteFileKind): string | undefined {
  const primary = code.replace(/_[A-Z]+$/, '');
  if (code === 'SQLITE_NOTADB' || primary === 'SQLITE_NOTADB') {
    return `it is not a SQLite database, let alone a ${kind.name} one (file is not a database)`;
  }
  return FAILURES[code] ?? FAILURES[primary];
}

/**
 * The error to throw for `error`, thrown while opening a `kind` file at `path`: Fleet's own errors
 * and ones that name the file already as they are, a SQLite failure (`database or disk is full`,
 * `file is not a database`) as one line that names the file and says what went wrong.
 */
export function openFailure(path: string, error: unknown, kind: SqliteFileKind): unknown {
  if (!(error instanceof Error) || isFleetError(error) || error.message.includes(path)) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  let reason = knownFailure(code, kind) ?? `${error.message} (${code})`;
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    const exists = existsSync(path);
    reason = readOnlyReason(path, exists) ?? (exists && statSync(path).isDirectory() ? 'it is a directory' : reason);
  }
  return new Error(`${path} cannot be used as ${role(kind)}: ${reason}`, { cause: error });
}
