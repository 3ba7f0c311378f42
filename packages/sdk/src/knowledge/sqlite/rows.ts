import { toIso } from '../../internal/iso-time.ts';
import type { JsonValue } from '../../schemas/common.ts';
import type { Fact } from '../../schemas/fact.ts';
import type { Change } from '../../schemas/sync.ts';
import { formatHlc } from '../hlc.ts';

/** The `facts` columns under the names of {@link FactRow}, prefixed with the table alias `f`. */
export const FACT_COLUMNS =
  'f.seq, f.key, f.value, f.tags, f.expires_at AS expiresAt, f.v_ms AS vMs, f.v_counter AS vCounter, f.source';

/** A `facts` row: the latest state of one key. `value` is JSON text, or null for a tombstone. */
export interface FactRow {
  seq: number;
  key: string;
  value: string | null;
  /** JSON array text of the tags, or null when there are none. */
  tags: string | null;
  expiresAt: number | null;
  vMs: number;
  vCounter: number;
  /** Id of the writing node in `nodes`. */
  source: number;
}

/** What a write needs to know of the state it replaces: everything but the value text. */
export interface StoredState extends Omit<FactRow, 'key' | 'value'> {
  /** 1 for a tombstone, else 0. */
  deleted: 0 | 1;
}

/** The positional parameters of the upsert statement, in column order. */
export type StateParams = [
  seq: number,
  key: string,
  value: string | null,
  tags: string | null,
  expiresAt: number | null,
  vMs: number,
  vCounter: number,
  source: number,
];

/** True when the state is a fact (not a tombstone) that has not expired at `now`. */
export function isLive(state: FactRow | StoredState, now: number): boolean {
  const deleted = 'deleted' in state ? state.deleted === 1 : state.value === null;
  return !deleted && (state.expiresAt === null || state.expiresAt > now);
}

/** The fact a live row holds; `source` is the writer's node id. */
export function toFact(row: FactRow, source: string): Fact {
  return {
    key: row.key,
    value: JSON.parse(row.value ?? 'null') as JsonValue,
    tags: row.tags === null ? [] : (JSON.parse(row.tags) as string[]),
    source,
    version: formatHlc({ ms: row.vMs, counter: row.vCounter }),
    updatedAt: toIso(row.vMs),
    expiresAt: row.expiresAt === null ? null : toIso(row.expiresAt),
  };
}

/** The changes-feed entry of a row (a fact or a tombstone). */
export function toChange(row: FactRow, source: string): Change {
  return { seq: row.seq, ...toFact(row, source), deleted: row.value === null };
}

/**
 * The fields of {@link toFact} as JSON text, without the braces. The stored value and tags are
 * JSON text already (written by `JSON.stringify`) and are spliced in as they are.
 */
function encodeFactFields(row: FactRow, source: string): string {
  const version = formatHlc({ ms: row.vMs, counter: row.vCounter });
  const expiresAt = row.expiresAt === null ? 'null' : `"${toIso(row.expiresAt)}"`;
  return (
    `"key":${JSON.stringify(row.key)},"value":${row.value ?? 'null'},"tags":${row.tags ?? '[]'},` +
    `"source":${JSON.stringify(source)},"version":"${version}","updatedAt":"${toIso(row.vMs)}","expiresAt":${expiresAt}`
  );
}

/** `JSON.stringify(toFact(row, source))`, without decoding the stored JSON first. */
export function encodeFact(row: FactRow, source: string): string {
  return `{${encodeFactFields(row, source)}}`;
}

/** `JSON.stringify(toChange(row, source))`, without decoding the stored JSON first. */
export function encodeChange(row: FactRow, source: string): string {
  return `{"seq":${row.seq},${encodeFactFields(row, source)},"deleted":${row.value === null}}`;
}
