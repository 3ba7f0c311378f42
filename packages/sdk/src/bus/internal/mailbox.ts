import type { RecipientStats } from '../../schemas/stats.ts';
import { isDeliverable, isExpired, type StoredMessage } from './message-record.ts';
import { ReadyQueue } from './ready-queue.ts';

/** A message as the in-memory store keeps it. */
export interface MailboxEntry extends StoredMessage {
  /** Insertion order, the FIFO tiebreak. */
  seq: number;
}

/** One recipient's messages in the in-memory store, by state. */
export class Mailbox {
  /** Ready messages (deliverable, delayed, or expired but not yet swept) in delivery order. */
  readonly ready = new ReadyQueue<MailboxEntry>();
  /** Leased messages by id. */
  readonly inFlight = new Map<string, MailboxEntry>();
  /** Dead letters by id. */
  readonly dead = new Map<string, MailboxEntry>();

  /** True when the recipient has no message in any state. */
  get empty(): boolean {
    return this.ready.size === 0 && this.inFlight.size === 0 && this.dead.size === 0;
  }

  /** Up to `limit` deliverable messages in delivery order. */
  deliverable(limit: number, nowMs: number): MailboxEntry[] {
    const picked: MailboxEntry[] = [];
    for (const entry of this.ready) {
      if (picked.length === limit) break;
      if (isDeliverable(entry, nowMs)) picked.push(entry);
    }
    return picked;
  }

  /** Depth of this mailbox as of `nowMs`. */
  stats(agent: string, nowMs: number): RecipientStats {
    let ready = 0;
    let delayed = 0;
    let oldest: number | null = null;
    for (const entry of this.ready) {
      if (isDeliverable(entry, nowMs)) {
        ready += 1;
        if (oldest === null || entry.createdAt < oldest) oldest = entry.createdAt;
      } else if (entry.availableAt > nowMs && !isExpired(entry, nowMs)) delayed += 1;
    }
    return {
      agent,
      ready,
      delayed,
      inFlight: this.inFlight.size,
      dead: this.dead.size,
      oldestReadyAgeSeconds: oldest === null ? null : (nowMs - oldest) / 1000,
    };
  }
}
