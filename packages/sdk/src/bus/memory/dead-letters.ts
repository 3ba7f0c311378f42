import type { DeadLetter, DeadLetterQuery, DeadLetterSelector } from '../../schemas/dead-letter.ts';
import type { Page } from '../../schemas/list.ts';
import { auditEntry } from '../internal/audit-entry.ts';
import { decodeDeadCursor, encodeDeadCursor } from '../internal/cursor.ts';
import type { MailboxEntry } from '../internal/mailbox.ts';
import { isExpired, toDeadLetter } from '../internal/message-record.ts';
import { compare } from './compare.ts';
import type { MemoryMessages } from './messages.ts';

/** A page of dead letters, by time of death then id, after the query's cursor. */
export function deadLetterPage(messages: MemoryMessages, query: DeadLetterQuery): Page<DeadLetter> {
  const after = query.cursor === undefined ? undefined : decodeDeadCursor(query.cursor);
  const mailboxes =
    query.agent === undefined ? [...messages.mailboxes.values()] : [messages.mailboxes.get(query.agent)];
  const dead = mailboxes
    .flatMap((mailbox) => (mailbox ? [...mailbox.dead.values()] : []))
    .filter((e) => !after || e.deadAt! > after.deadAt || (e.deadAt === after.deadAt && e.id > after.id))
    .sort((a, b) => a.deadAt! - b.deadAt! || compare(a.id, b.id));
  const page = dead.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toDeadLetter),
    nextCursor: dead.length > page.length && last ? encodeDeadCursor(last.deadAt!, last.id) : null,
  };
}

/**
 * Sends the selected dead letters back to ready, each in its original place in delivery order with
 * its attempts reset; a TTL that has passed is dropped.
 */
export function redriveDeadLetters(messages: MemoryMessages, selector: DeadLetterSelector, now: number): number {
  const entries = selectDead(messages, selector);
  for (const entry of entries) {
    messages.mailbox(entry.to).dead.delete(entry.id);
    entry.attempts = 0;
    entry.deadReason = null;
    entry.deadAt = null;
    entry.lastError = null;
    if (isExpired(entry, now)) entry.expiresAt = null;
    messages.makeReady(entry, now);
    messages.audit(auditEntry(now, 'redriven', entry));
  }
  return entries.length;
}

/** Deletes the selected dead letters. */
export function purgeDeadLetters(messages: MemoryMessages, selector: DeadLetterSelector, now: number): number {
  const entries = selectDead(messages, selector);
  for (const entry of entries) {
    messages.mailbox(entry.to).dead.delete(entry.id);
    messages.delete(entry.id);
    messages.audit(auditEntry(now, 'purged', entry));
  }
  return entries.length;
}

function selectDead(messages: MemoryMessages, selector: DeadLetterSelector): MailboxEntry[] {
  if (selector.ids !== undefined) {
    const entries = new Set<MailboxEntry>();
    for (const id of selector.ids) {
      const entry = messages.get(id);
      if (entry?.state === 'dead') entries.add(entry);
    }
    return [...entries];
  }
  const mailbox = selector.agent === undefined ? undefined : messages.mailboxes.get(selector.agent);
  // In dead-letter list order (time of death, then id), as the other stores.
  return mailbox ? [...mailbox.dead.values()].sort((a, b) => a.deadAt! - b.deadAt! || compare(a.id, b.id)) : [];
}
