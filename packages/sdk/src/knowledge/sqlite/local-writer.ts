import { toIso } from '../../internal/iso-time.ts';
import type { DeleteFactResult, Fact } from '../../schemas/fact.ts';
import { formatHlc, type HybridLogicalClock } from '../hlc.ts';
import type { CheckedInput } from '../internal/fact-checks.ts';
import type { FactWriter } from './fact-writer.ts';
import { type FactRow, isLive } from './rows.ts';
import type { Statements } from './statements.ts';
import type { WriteContext } from './write-context.ts';

/** A delete's result, and the tombstone it wrote (null when there was no live fact). */
export interface LocalDelete {
  result: DeleteFactResult;
  change: FactRow | null;
}

/** Writes by this node: puts and deletes, each a new version of the key from the local clock. */
export class LocalWriter {
  readonly #sql: Statements;
  readonly #writer: FactWriter;
  readonly #clock: HybridLogicalClock;
  readonly #now: () => number;
  readonly #nodeId: string;
  readonly #localSource: number;
  readonly #nextSeq: () => number;
  readonly #saveClock: () => void;

  constructor(context: WriteContext) {
    this.#sql = context.sql;
    this.#writer = context.writer;
    this.#clock = context.clock;
    this.#now = context.now;
    this.#nodeId = context.nodeId;
    this.#localSource = context.localSource;
    this.#nextSeq = context.nextSeq;
    this.#saveClock = context.saveClock;
  }

  /** Stores checked inputs, in order, inside the caller's transaction; returns the rows written. */
  put(inputs: readonly CheckedInput[]): FactRow[] {
    const written = inputs.map((input): FactRow => {
      const version = this.#clock.now();
      const row: FactRow = {
        seq: this.#nextSeq(),
        key: input.key,
        value: input.valueText,
        tags: input.tagsText,
        expiresAt: input.ttlMs === null ? null : version.ms + input.ttlMs,
        vMs: version.ms,
        vCounter: version.counter,
        source: this.#localSource,
      };
      this.#writer.write(row, this.#sql.stateOf.get(row.key), input.tags);
      return row;
    });
    this.#saveClock();
    return written;
  }

  /** The facts that {@link put} wrote: `rows[i]` from `inputs[i]` (no need to parse the JSON back). */
  facts(rows: readonly FactRow[], inputs: readonly CheckedInput[]): Fact[] {
    return rows.map((row, index) => {
      const input = inputs[index]!;
      const version = formatHlc({ ms: row.vMs, counter: row.vCounter });
      return {
        key: row.key,
        value: input.value,
        tags: input.tags,
        source: this.#nodeId,
        version,
        updatedAt: toIso(row.vMs),
        expiresAt: row.expiresAt === null ? null : toIso(row.expiresAt),
      };
    });
  }

  /** Writes a tombstone for `key` when it holds a live fact, inside the caller's transaction. */
  delete(key: string): LocalDelete {
    const old = this.#sql.stateOf.get(key);
    if (!old || !isLive(old, this.#now())) return { result: { key, deleted: false, version: null }, change: null };
    const version = this.#clock.now();
    const tombstone: FactRow = {
      seq: this.#nextSeq(),
      key,
      value: null,
      tags: null,
      expiresAt: null,
      vMs: version.ms,
      vCounter: version.counter,
      source: this.#localSource,
    };
    this.#writer.write(tombstone, old);
    this.#saveClock();
    return { result: { key, deleted: true, version: formatHlc(version) }, change: tombstone };
  }
}
