/**
 * The slowest upload a sudo file write still waits for, in bytes per second: 16 KiB/s (128 kbit/s),
 * about the floor the SFTP path accepts by default (a 1 MiB request answered within its 60 s).
 */
export const WRITE_FLOOR_BYTES_PER_SECOND = 16 * 1024;

/**
 * How long the host lets a sudo file write of `size` bytes run, in whole ms: `fixedMs` (for
 * starting sudo, fsync and rename) plus the time the content takes at
 * {@link WRITE_FLOOR_BYTES_PER_SECOND}, so a large file on a slow link is not cut off by a
 * limit meant for a small one.
 */
export function sudoWriteLimitMs(size: number, fixedMs: number): number {
  return Math.ceil(fixedMs + (size / WRITE_FLOOR_BYTES_PER_SECOND) * 1000);
}

/** A limit in ms as `timeout` and people read it: seconds, at most three decimals. */
export function limitSeconds(limitMs: number): string {
  return String(Math.ceil(limitMs) / 1000);
}
