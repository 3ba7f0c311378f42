import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** A SQLite file's bytes by hash, and which of its sibling files (`-wal`, `-shm`, ...) exist. */
export function fingerprint(path: string) {
  return {
    sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
    siblings: ['-wal', '-shm', '-journal', '-lock'].filter((suffix) => existsSync(`${path}${suffix}`)),
  };
}

/**
 * Expects `open()` (a store opening the SQLite file at `path`) to fail with one line that names the
 * file and matches `message`, and the file to be exactly as it was (no sibling files either).
 * Returns the message.
 */
export async function expectRefusedUntouched(open: () => unknown, path: string, message: RegExp): Promise<string> {
  const before = fingerprint(path);
  const error = await Promise.resolve()
    .then(open)
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(Error);
  const text = (error as Error).message;
  expect(text).toContain(path);
  expect(text).toMatch(message);
  expect(text).not.toContain('\n');
  expect(fingerprint(path)).toEqual(before);
  expect(before.siblings).toEqual([]);
  return text;
}
