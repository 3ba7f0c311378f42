// Compact encodings of the history tables' blobs. 300 targets probed every 30 s produce 1.7
// million raw results in 48 hours and 2.6 million 5-minute buckets in 30 days: one SQLite row each
// would cost 20+ bytes of row overhead alone and blow the 50 MB budget, so results are packed
// into one row per target and 5 minutes (raw) or per target and hour (buckets).

import { percentiles } from '../internal/percentile.ts';

/** Bytes of one raw result. */
export const RAW_RESULT_BYTES = 7;
/** Latencies are stored in whole milliseconds, at most this. */
export const MAX_STORED_MS = 0xffff;

/** One raw probe result as stored. */
export interface RawResult {
  /** Epoch milliseconds. */
  at: number;
  latencyMs: number;
  /** 0 when no answer came. */
  status: number;
  ok: boolean;
  /**
   * Its time is a response time that counts for latency: an answer came and met every condition
   * but response time (the monitor's `ok` and `slow` verdicts). Rows written before this flag
   * existed have it for `ok` results only.
   */
  timed: boolean;
}

/** Flags in the status field of a raw result: every condition held; the time counts for latency. */
const OK_FLAG = 0x8000;
const TIMED_FLAG = 0x4000;
/** Set in a slot's index byte when no result of the bucket counts for latency (its latencies are null). */
const NO_LATENCY_FLAG = 0x80;

/** Aggregates of one 5-minute (or daily) bucket; latencies over its timed results, null when it has none. */
export interface BucketStats {
  checks: number;
  ok: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/**
 * One raw result: offset into its 5-minute bucket (3 bytes), latency (2 bytes), HTTP status with
 * the ok flag in the top bit and the timed flag ({@link RawResult.timed}) in the next (2 bytes).
 */
export function encodeRaw(
  offsetMs: number,
  latencyMs: number,
  status: number | null,
  ok: boolean,
  timed: boolean,
): Buffer {
  const bytes = Buffer.allocUnsafe(RAW_RESULT_BYTES);
  bytes.writeUIntLE(offsetMs, 0, 3);
  bytes.writeUInt16LE(Math.min(MAX_STORED_MS, Math.round(latencyMs)), 3);
  bytes.writeUInt16LE(((status ?? 0) & 0x3fff) | (ok ? OK_FLAG : 0) | (timed || ok ? TIMED_FLAG : 0), 5);
  return bytes;
}

/** The results of one raw row, in the order they were written. */
export function decodeRaw(bucketStartMs: number, data: Uint8Array): RawResult[] {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const results: RawResult[] = [];
  for (let at = 0; at + RAW_RESULT_BYTES <= view.length; at += RAW_RESULT_BYTES) {
    const flags = view.readUInt16LE(at + 5);
    const ok = (flags & OK_FLAG) !== 0;
    results.push({
      at: bucketStartMs + view.readUIntLE(at, 3),
      latencyMs: view.readUInt16LE(at + 3),
      status: flags & 0x3fff,
      ok,
      timed: ok || (flags & TIMED_FLAG) !== 0,
    });
  }
  return results;
}

/** Results and good results of one raw row. */
export function countRaw(data: Uint8Array): { checks: number; ok: number } {
  let ok = 0;
  for (let at = 0; at + RAW_RESULT_BYTES <= data.length; at += RAW_RESULT_BYTES) {
    if ((data[at + 6]! & 0x80) !== 0) ok += 1;
  }
  return { checks: Math.floor(data.length / RAW_RESULT_BYTES), ok };
}

/**
 * Aggregates a list of results (null when empty). Latencies are taken over the timed results
 * only: a refused connection or a timeout says nothing of how fast the target answers.
 */
export function aggregate(results: readonly RawResult[]): BucketStats | null {
  if (results.length === 0) return null;
  const latencies = new Float64Array(results.length);
  let timed = 0;
  let ok = 0;
  let max: number | null = null;
  for (const result of results) {
    if (result.ok) ok += 1;
    if (!result.timed) continue;
    latencies[timed++] = result.latencyMs;
    if (max === null || result.latencyMs > max) max = result.latencyMs;
  }
  const [p50, p95] = percentiles(latencies.subarray(0, timed), [0.5, 0.95]) as [number | null, number | null];
  return { checks: results.length, ok, p50, p95, max };
}

/**
 * The 5-minute buckets of one hour row: for each present slot (0..11), its index byte, then
 * checks, failed checks, p50, p95 - p50 and max - p95 as unsigned LEB128 varints (deltas keep
 * the usual values in one byte). A slot without latencies has the top bit of its index byte set
 * and zeros for them.
 */
export function encodeSlots(slots: ReadonlyMap<number, BucketStats>): Buffer {
  const bytes: number[] = [];
  for (const index of [...slots.keys()].sort((a, b) => a - b)) {
    const { checks, ok, p50, p95, max } = slots.get(index)!;
    const timed = p50 !== null && p95 !== null && max !== null;
    bytes.push(timed ? index : index | NO_LATENCY_FLAG);
    for (const value of timed ? [checks, checks - ok, p50, p95 - p50, max - p95] : [checks, checks - ok, 0, 0, 0]) {
      writeVarint(bytes, value);
    }
  }
  return Buffer.from(bytes);
}

/** The slots of one hour row, by index. */
export function decodeSlots(data: Uint8Array): Map<number, BucketStats> {
  const slots = new Map<number, BucketStats>();
  const cursor = { at: 0 };
  while (cursor.at < data.length) {
    const flagged = data[cursor.at++]!;
    const checks = readVarint(data, cursor);
    const failed = readVarint(data, cursor);
    const p50 = readVarint(data, cursor);
    const p95 = p50 + readVarint(data, cursor);
    const max = p95 + readVarint(data, cursor);
    const index = flagged & ~NO_LATENCY_FLAG;
    if ((flagged & NO_LATENCY_FLAG) !== 0)
      slots.set(index, { checks, ok: checks - failed, p50: null, p95: null, max: null });
    else slots.set(index, { checks, ok: checks - failed, p50, p95, max });
  }
  return slots;
}

/** Calls `visit` with the index, checks and good checks of each slot of an hour row (no latencies decoded into objects). */
export function forEachSlotCount(data: Uint8Array, visit: (index: number, checks: number, ok: number) => void): void {
  const cursor = { at: 0 };
  while (cursor.at < data.length) {
    const index = data[cursor.at++]! & ~NO_LATENCY_FLAG;
    const checks = readVarint(data, cursor);
    const failed = readVarint(data, cursor);
    readVarint(data, cursor);
    readVarint(data, cursor);
    readVarint(data, cursor);
    visit(index, checks, checks - failed);
  }
}

function writeVarint(bytes: number[], value: number): void {
  let rest = Math.max(0, Math.round(value));
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
}

function readVarint(data: Uint8Array, cursor: { at: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = data[cursor.at++];
    if (byte === undefined) throw new Error('truncated history row');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
}
