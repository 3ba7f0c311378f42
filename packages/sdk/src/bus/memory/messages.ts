import type { DeadLetterReason } from '../../schemas/dead-letter.ts';
import { type AuditEntry, auditEntry } from '../internal/audit-entry.ts';
import { Mailbox, type MailboxEntry } from '../internal/mailbox.ts';
import type { MemoryAuditLog } from '../internal/memory-audit-log.ts';
import { isExpired, type MessageRecord } from '../internal/message-record.ts';
import type { ResolvedStoreOptions } from '../internal/options.ts';
import { checkReceipt } from '../internal/receipt-check.ts';
import { outcomeAfterLeaseExpiry } from '../internal/transitions.ts';
import { compare } from './compare.ts';

/**
 * The in-memory store's messages, by id and in their recipients' mailboxes, with the state changes
 * several store operations share and the audit trail they write to.
 */
export class MemoryMessages {
  readonly #options: Pick<ResolvedStoreOptions, 'maxAttempts'>;
  readonly #log: MemoryAuditLog;
  readonly #byId = new Map<string, MailboxEntry>();
  readonly #mailboxes = new Map<string, Mailbox>();
  #seq = 0;

  constructor(log: MemoryAuditLog, options: Pick<ResolvedStoreOptions, 'maxAttempts'>) {
    this.#log = log;
    this.#options = options;
  }

  /** The mailboxes by recipient (an agent without one has no message). */
  get mailboxes(): ReadonlyMap<string, Mailbox> {
    return this.#mailboxes;
  }

  /** A message in any state, by id. */
  get(id: string): MailboxEntry | undefined {
    return this.#byId.get(id);
  }

  /** Forgets a message by id (acked, polled or purged); the caller takes it out of its mailbox. */
  delete(id: string): void {
    this.#byId.delete(id);
  }

  /** An agent's mailbox, created when it has none. */
  mailbox(agent: string): Mailbox {
    let mailbox = this.#mailboxes.get(agent);
    if (!mailbox) {
      mailbox = new Mailbox();
      this.#mailboxes.set(agent, mailbox);
    }
    return mailbox;
  }

  /** Stores a sent copy as ready, after every message stored before it. */
  insert(record: MessageRecord): void {
    const entry: MailboxEntry = {
      ...record,
      seq: ++this.#seq,
      state: 'ready',
      leaseToken: null,
      leaseExpiresAt: null,
      deadReason: null,
      deadAt: null,
      lastError: null,
    };
    this.#byId.set(entry.id, entry);
    this.mailbox(entry.to).ready.insert(entry);
  }

  /** Appends events to the audit trail, in order. */
  audit(...entries: AuditEntry[]): void {
    this.#log.append(...entries);
  }

  /** Resolves a receipt to the message it leases, or throws (see {@link checkReceipt}). */
  checkReceipt(receipt: string, now: number, field?: string): MailboxEntry {
    return checkReceipt(receipt, (id) => this.#byId.get(id), now, field);
  }

  /** Returns expired leases and dead-letters expired messages of one agent. */
  housekeep(agent: string, now: number): Mailbox {
    const mailbox = this.mailbox(agent);
    // By lease expiry, then send order, as the other stores list them.
    const expired = [...mailbox.inFlight.values()]
      .filter((entry) => entry.leaseExpiresAt! <= now)
      .sort((a, b) => a.leaseExpiresAt! - b.leaseExpiresAt! || a.seq - b.seq);
    for (const entry of expired) {
      mailbox.inFlight.delete(entry.id);
      this.audit(auditEntry(now, 'lease_expired', entry));
      const outcome = outcomeAfterLeaseExpiry(entry.attempts, entry.expiresAt, now, this.#options.maxAttempts);
      if (outcome.state === 'dead') {
        if (outcome.reason === 'expired') this.audit(auditEntry(now, 'expired', entry));
        this.kill(entry, outcome.reason, now);
      } else this.makeReady(entry, outcome.availableAt);
    }
    for (const entry of mailbox.ready) {
      if (!isExpired(entry, now)) continue;
      mailbox.ready.remove(entry);
      this.audit(auditEntry(now, 'expired', entry));
      this.kill(entry, 'expired', now);
    }
    return mailbox;
  }

  /** The sweep's part: housekeeps every mailbox, and drops the empty ones. */
  housekeepAll(now: number): void {
    // By name, as the other stores: the order of the sweep's audit events.
    for (const agent of [...this.#mailboxes.keys()].sort(compare)) {
      // An empty mailbox holds nothing: dropped, so agents long gone cost no sweep.
      if (this.housekeep(agent, now).empty) this.#mailboxes.delete(agent);
    }
  }

  /** Puts a message (already out of its in-flight or dead structure) back in its ready queue at `availableAt`. */
  makeReady(entry: MailboxEntry, availableAt: number): void {
    entry.state = 'ready';
    entry.availableAt = availableAt;
    entry.leaseToken = null;
    entry.leaseExpiresAt = null;
    this.mailbox(entry.to).ready.insert(entry);
  }

  /** Moves a message (already out of its ready/in-flight structure) to the dead letters. */
  kill(entry: MailboxEntry, reason: DeadLetterReason, now: number): void {
    entry.state = 'dead';
    entry.deadReason = reason;
    entry.deadAt = now;
    entry.leaseToken = null;
    entry.leaseExpiresAt = null;
    this.mailbox(entry.to).dead.set(entry.id, entry);
    this.audit(auditEntry(now, 'dead_lettered', entry, { reason }));
  }
}
