import { FleetError } from '../errors.ts';
import { invalidField } from '../internal/invalid-field.ts';
import type { Hlc } from '../schemas/fact.ts';

/** A hybrid logical clock reading: physical milliseconds plus a logical counter. */
export interface HlcTimestamp {
  /** Milliseconds since the epoch (the largest physical time this clock has seen). */
  ms: number;
  /** Logical counter within `ms`, 0 to {@link MAX_HLC_COUNTER}. */
  counter: number;
}

/** Largest logical counter: the text form has 5 digits. */
export const MAX_HLC_COUNTER = 99_999;
/** Largest physical time: the text form has 15 digits. */
const MAX_HLC_MS = 999_999_999_999_999;

const HLC_TEXT = /^(\d{15})-(\d{5})$/;

/** Default bound on how far ahead of the local clock a remote timestamp may be: 60 s. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 60_000;

/** The text form of a timestamp, e.g. `001764067200123-00000`; text order is clock order. */
export function formatHlc(timestamp: HlcTimestamp): Hlc {
  const { ms, counter } = timestamp;
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_HLC_MS) throw new RangeError(`Invalid HLC ms: ${ms}`);
  if (!Number.isSafeInteger(counter) || counter < 0 || counter > MAX_HLC_COUNTER) {
    throw new RangeError(`Invalid HLC counter: ${counter}`);
  }
  return `${String(ms).padStart(15, '0')}-${String(counter).padStart(5, '0')}`;
}

/**
 * Parses the text form of a timestamp; throws FleetError('validation_failed') naming `field`
 * (default `version`) when `text` is not one.
 */
export function parseHlc(text: string, field = 'version'): HlcTimestamp {
  const match = HLC_TEXT.exec(text);
  if (!match) {
    throw invalidField(field, 'must be a hybrid logical clock timestamp like 001764067200123-00000', 'invalid_hlc');
  }
  return { ms: Number(match[1]), counter: Number(match[2]) };
}

/** What {@link compareVersions} orders: a version, its writer and whether it is a tombstone. */
export interface VersionedState {
  version: Hlc;
  source: string;
  /** A tombstone beats a live state with the same version and source. @default false */
  deleted?: boolean;
}

/**
 * Last-writer-wins order of two states: negative when `a` loses to `b`, positive when it wins,
 * 0 when they are the same version. Compares the version text (text order is clock order), then
 * the source node id, then a tombstone beats a live fact, so every node picks the same winner.
 */
export function compareVersions(a: VersionedState, b: VersionedState): number {
  if (a.version !== b.version) return a.version < b.version ? -1 : 1;
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return Number(a.deleted ?? false) - Number(b.deleted ?? false);
}

/**
 * A hybrid logical clock (Kulkarni et al., 2014): timestamps that stay close to physical time,
 * never go backwards (even when the physical clock does), and exceed every timestamp received.
 *
 * When the counter would pass {@link MAX_HLC_COUNTER} within one millisecond the clock borrows the
 * next millisecond (counter 0) instead of waiting, so it never blocks; it then runs at most that
 * far ahead of physical time until the physical clock catches up.
 *
 * @example
 * const clock = new HybridLogicalClock(Date.now);
 * const version = formatHlc(clock.now());
 */
export class HybridLogicalClock {
  readonly #physical: () => number;
  readonly #maxSkewMs: number;
  #last: HlcTimestamp;

  /**
   * @param now the physical clock, in epoch milliseconds.
   * @param maxSkewMs how far ahead of `now()` a remote timestamp may be before {@link update} rejects it.
   * @param last a timestamp already issued (e.g. the newest stored version): the clock starts after it.
   */
  constructor(now: () => number, maxSkewMs = DEFAULT_MAX_CLOCK_SKEW_MS, last: HlcTimestamp = { ms: 0, counter: 0 }) {
    this.#physical = now;
    this.#maxSkewMs = maxSkewMs;
    this.#last = { ms: last.ms, counter: last.counter };
  }

  /** The latest timestamp issued or received. */
  get last(): HlcTimestamp {
    return { ms: this.#last.ms, counter: this.#last.counter };
  }

  /** The bound {@link update} enforces, in milliseconds. */
  get maxSkewMs(): number {
    return this.#maxSkewMs;
  }

  /** A timestamp for a local event (a write or a send): greater than every earlier one. */
  now(): HlcTimestamp {
    const physical = this.#readPhysical();
    const last = this.#last;
    this.#last = physical > last.ms ? { ms: physical, counter: 0 } : this.#tick(last.ms, last.counter + 1);
    return this.last;
  }

  /**
   * Merges a received timestamp: the result is greater than both it and every earlier local one.
   * Throws FleetError('clock_skew') and changes nothing when `remote` is more than `maxSkewMs`
   * ahead of the physical clock.
   */
  update(remote: HlcTimestamp): HlcTimestamp {
    const physical = this.#readPhysical();
    this.check(remote, physical);
    const last = this.#last;
    const ms = Math.max(last.ms, remote.ms, physical);
    let counter: number;
    if (ms === last.ms && ms === remote.ms) counter = Math.max(last.counter, remote.counter) + 1;
    else if (ms === last.ms) counter = last.counter + 1;
    else if (ms === remote.ms) counter = remote.counter + 1;
    else counter = 0;
    this.#last = this.#tick(ms, counter);
    return this.last;
  }

  /**
   * Throws FleetError('clock_skew') when `remote` is more than `maxSkewMs` ahead of the physical
   * clock (read now unless given); changes nothing.
   */
  check(remote: HlcTimestamp, physical = this.#readPhysical()): void {
    if (remote.ms > physical + this.#maxSkewMs) {
      throw new FleetError(
        'clock_skew',
        `Remote clock is ${remote.ms - physical} ms ahead of this node (at most ${this.#maxSkewMs} ms allowed)`,
        {
          details: {
            field: 'version',
            remote: formatHlc(remote),
            localPhysicalMs: physical,
            aheadMs: remote.ms - physical,
            maxSkewMs: this.#maxSkewMs,
          },
        },
      );
    }
  }

  #readPhysical(): number {
    return Math.floor(this.#physical());
  }

  // A counter past the 5-digit limit borrows the next millisecond.
  #tick(ms: number, counter: number): HlcTimestamp {
    return counter > MAX_HLC_COUNTER ? { ms: ms + 1, counter: 0 } : { ms, counter };
  }
}
