import type { Change } from '../../schemas/sync.ts';
import type { HlcTimestamp } from '../hlc.ts';
import { type CheckedChange, checkChange } from './fact-checks.ts';

/**
 * {@link CheckedChanges} as plain columns, for `postMessage`: arrays of strings and numbers cost
 * a tenth of what the same changes cost as objects to copy between threads.
 */
export interface CheckedColumns {
  keys: string[];
  versionTexts: string[];
  versionMs: number[];
  versionCounters: number[];
  sources: string[];
  valueTexts: (string | null)[];
  tags: string[][];
  tagsTexts: (string | null)[];
  expiresAt: (number | null)[];
}

function newestOf(items: readonly CheckedChange[]): HlcTimestamp | undefined {
  let newest: HlcTimestamp | undefined;
  for (const { version } of items) {
    if (!newest || version.ms > newest.ms || (version.ms === newest.ms && version.counter > newest.counter)) {
      newest = version;
    }
  }
  return newest;
}

/**
 * Remote changes that passed the store's checks (key, tags, version, source, value serialized),
 * with the newest version among them. Only {@link CheckedChanges.check} makes one (or
 * {@link CheckedChanges.fromColumns}, from the columns of one), so the store can apply it without
 * checking again: the sync engine checks a pulled page in a worker thread while the store writes
 * the page before it.
 */
export class CheckedChanges {
  /** The checked changes, in order. */
  readonly items: readonly CheckedChange[];
  /** The newest version among them (undefined when there are none). */
  readonly newest: HlcTimestamp | undefined;

  private constructor(items: readonly CheckedChange[]) {
    this.items = items;
    this.newest = newestOf(items);
  }

  /** Checks every change; throws `validation_failed` naming the first bad field (`changes.3.key`). */
  static check(changes: readonly Change[]): CheckedChanges {
    return new CheckedChanges(changes.map((change, index) => checkChange(change, `changes.${index}.`)));
  }

  /**
   * Rebuilds checked changes from {@link toColumns} (in another thread). Trusts its input: only
   * for columns that `toColumns` made.
   * @internal
   */
  static fromColumns(columns: CheckedColumns): CheckedChanges {
    const items = columns.keys.map(
      (key, i): CheckedChange => ({
        key,
        versionText: columns.versionTexts[i]!,
        version: { ms: columns.versionMs[i]!, counter: columns.versionCounters[i]! },
        source: columns.sources[i]!,
        valueText: columns.valueTexts[i]!,
        tags: columns.tags[i]!,
        tagsText: columns.tagsTexts[i]!,
        expiresAt: columns.expiresAt[i]!,
      }),
    );
    return new CheckedChanges(items);
  }

  /** The changes as columns, to post to another thread. */
  toColumns(): CheckedColumns {
    const { items } = this;
    return {
      keys: items.map((item) => item.key),
      versionTexts: items.map((item) => item.versionText),
      versionMs: items.map((item) => item.version.ms),
      versionCounters: items.map((item) => item.version.counter),
      sources: items.map((item) => item.source),
      valueTexts: items.map((item) => item.valueText),
      tags: items.map((item) => item.tags),
      tagsTexts: items.map((item) => item.tagsText),
      expiresAt: items.map((item) => item.expiresAt),
    };
  }
}
