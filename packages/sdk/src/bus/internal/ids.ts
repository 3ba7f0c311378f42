import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;
// One crypto call per 512 ids instead of one per id: a batch send creates many ids in a row.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomHex8(): string {
  if (poolOffset + 8 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  poolOffset += 8;
  return pool.toString('hex', poolOffset - 8, poolOffset);
}

/**
 * A message id that sorts by creation time: 12 hex digits of milliseconds, 4 of a per-millisecond
 * counter, then 8 random bytes. Unique across processes, readable in logs.
 */
export function newMessageId(nowMs: number): string {
  if (nowMs === lastMs) counter = (counter + 1) & 0xffff;
  else {
    lastMs = nowMs;
    counter = 0;
  }
  return `${nowMs.toString(16).padStart(12, '0')}${counter.toString(16).padStart(4, '0')}${randomHex8()}`;
}
