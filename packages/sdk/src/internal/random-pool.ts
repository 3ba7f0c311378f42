import { randomBytes } from 'node:crypto';

// One crypto call per 4 KiB of randomness instead of one per id or token: sends and leases create
// them in bursts, and the system call showed in profiles.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/** `length` cryptographically random bytes (at most 4096), encoded as `encoding`. */
export function randomString(length: number, encoding: 'hex' | 'base64url'): string {
  if (offset + length > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  offset += length;
  return pool.toString(encoding, offset - length, offset);
}
