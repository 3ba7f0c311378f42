import { toIso } from '../../internal/iso-time.ts';
import type { AuditEvent, AuditQuery } from '../../schemas/audit.ts';
import type { AuditTrailPage } from '../message-store.ts';
import { type AuditEntry, toAuditEvent } from './audit-entry.ts';
import { decodeSeqCursor, encodeSeqCursor } from './cursor.ts';

interface Stored extends AuditEntry {
  seq: number;
}

/** The audit trail of the in-memory store: an array in seq order. */
export class MemoryAuditLog {
  #events: Stored[] = [];
  #seq = 0;
  /** When the newest event retention removed happened; null until it removes one. */
  #prunedThrough: number | null = null;

  /** Appends entries in order, numbering them. */
  append(...entries: AuditEntry[]): void {
    for (const entry of entries) this.#events.push({ ...entry, seq: ++this.#seq });
  }

  /** Events matching the filters, ascending by seq, after the cursor. */
  query(query: AuditQuery): AuditTrailPage {
    const after = query.cursor === undefined ? 0 : decodeSeqCursor(query.cursor);
    const since = query.since === undefined ? undefined : Date.parse(query.since);
    const items: AuditEvent[] = [];
    let more = false;
    for (let i = this.#firstAfter(after); i < this.#events.length; i++) {
      const event = this.#events[i]!;
      if (query.messageId !== undefined && event.messageId !== query.messageId) continue;
      if (query.agent !== undefined && event.agent !== query.agent) continue;
      if (query.event !== undefined && event.event !== query.event) continue;
      if (since !== undefined && event.at < since) continue;
      if (items.length === query.limit) {
        more = true;
        break;
      }
      items.push(toAuditEvent(event.seq, event));
    }
    const last = items.at(-1);
    return {
      items,
      nextCursor: more && last ? encodeSeqCursor(last.seq) : null,
      prunedThrough: this.#prunedThrough === null ? null : toIso(this.#prunedThrough),
    };
  }

  /**
   * Drops the oldest events, up to the first one at or after `minAt` or past the newest
   * `maxEvents`, whichever is later: a prefix, as the durable stores do, so the trail never has
   * holes (an event older than `minAt` behind a younger one, the clock set back, stays until the
   * younger one goes).
   */
  prune(minAt: number, maxEvents: number): void {
    const firstYoung = this.#events.findIndex((event) => event.at >= minAt);
    const end = Math.max(firstYoung === -1 ? this.#events.length : firstYoung, this.#events.length - maxEvents);
    if (end <= 0) return;
    for (let i = 0; i < end; i++) this.#removed(this.#events[i]!);
    this.#events = this.#events.slice(end);
  }

  #removed(event: Stored): void {
    this.#prunedThrough = Math.max(this.#prunedThrough ?? event.at, event.at);
  }

  // Index of the first event with seq > `seq` (binary search; seqs ascend).
  #firstAfter(seq: number): number {
    let low = 0;
    let high = this.#events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#events[mid]!.seq <= seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
