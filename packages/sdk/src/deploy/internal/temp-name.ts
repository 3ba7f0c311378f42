import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** A temp name beside `path`, for a file or link written there and renamed over it. */
export function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.fleet-${randomBytes(6).toString('hex')}.tmp`);
}
