import type { Change } from '../../schemas/sync.ts';

/**
 * Sizes already measured, by change: the store hands the same object to every listener, so
 * watchers of overlapping prefixes serialize a value once, not once each.
 */
const measured = new WeakMap<Change, number>();

/**
 * The bytes of a change's value as JSON in UTF-8 (4 for a tombstone's `null`): the measure of the
 * store's value limit, and most of what the change costs to hold.
 */
export function changeValueBytes(change: Change): number {
  let bytes = measured.get(change);
  if (bytes === undefined) {
    bytes = Buffer.byteLength(JSON.stringify(change.value ?? null));
    measured.set(change, bytes);
  }
  return bytes;
}
