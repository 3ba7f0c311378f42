import type { RolloutBatch } from '@fleet/sdk/fleet';

/**
 * Splits hosts into rollout batches: each entry of `batches` is a number of hosts or a percentage
 * of all of them (rounded up, at least one); the last entry repeats until every host has its turn.
 *
 * @example rolloutBatches(['a', 'b', 'c', 'd', 'e'], [1, '50%']) // [['a'], ['b', 'c', 'd'], ['e']]
 */
export function rolloutBatches<T>(hosts: readonly T[], batches: readonly RolloutBatch[]): T[][] {
  const size = (batch: RolloutBatch): number =>
    typeof batch === 'number' ? batch : Math.max(1, Math.ceil((hosts.length * Number.parseInt(batch, 10)) / 100));
  const result: T[][] = [];
  let next = 0;
  let index = 0;
  while (next < hosts.length) {
    const batch = batches[Math.min(index, batches.length - 1)]!;
    const count = size(batch);
    result.push(hosts.slice(next, next + count));
    next += count;
    index += 1;
  }
  return result;
}
