import { randomString } from '../../internal/random-pool.ts';

let lastMs = 0;
let counter = 0;

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
  return `${nowMs.toString(16).padStart(12, '0')}${counter.toString(16).padStart(4, '0')}${randomString(8, 'hex')}`;
}
