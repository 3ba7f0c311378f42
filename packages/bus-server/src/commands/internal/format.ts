import type { DeadLetter, Delivery, Message, QueueStats } from '@fleet/sdk';
import { formatTable } from '@fleet/sdk/cli';

const MAX_PAYLOAD_CHARS = 200;

function payloadText(payload: unknown): string {
  const text = JSON.stringify(payload) ?? 'null';
  return text.length > MAX_PAYLOAD_CHARS ? `${text.slice(0, MAX_PAYLOAD_CHARS - 1)}…` : text;
}

/** One line for a message: `<id>  from -> to [#topic]  type  payload`. */
export function formatMessage(message: Message): string {
  const route = `${message.from} -> ${message.to}${message.topic ? ` #${message.topic}` : ''}`;
  const priority = message.priority !== 0 ? `  priority ${message.priority}` : '';
  return `${message.id}  ${route}  ${message.type}${priority}  ${payloadText(message.payload)}`;
}

/** One line for a leased message, with its attempt and receipt. */
export function formatDelivery(delivery: Delivery): string {
  return `${formatMessage(delivery.message)}  (attempt ${delivery.message.attempts}, receipt ${delivery.receipt})`;
}

/** One line for a tailed message, prefixed with its time. */
export function formatTailLine(message: Message): string {
  return `${message.createdAt}  ${formatMessage(message)}`;
}

/** One line for a dead letter: id, recipient, why, when, and the last error. */
export function formatDeadLetter(deadLetter: DeadLetter): string {
  const { message } = deadLetter;
  const lastError = deadLetter.lastError ? `  last error: ${deadLetter.lastError}` : '';
  return `${message.id}  ${message.to}  ${deadLetter.reason}  ${deadLetter.deadAt}  attempts ${message.attempts}  ${message.type}${lastError}`;
}

/** The queue stats as a table, one row per recipient and a totals row. */
export function formatStats(stats: QueueStats): string[] {
  if (stats.recipients.length === 0) return ['no messages'];
  const age = (seconds: number | null) => (seconds === null ? '-' : `${seconds.toFixed(1)}s`);
  const rows = [
    ['AGENT', 'READY', 'DELAYED', 'IN-FLIGHT', 'DEAD', 'OLDEST READY'],
    ...stats.recipients.map((r) => [
      r.agent,
      String(r.ready),
      String(r.delayed),
      String(r.inFlight),
      String(r.dead),
      age(r.oldestReadyAgeSeconds),
    ]),
    [
      'total',
      String(stats.totals.ready),
      String(stats.totals.delayed),
      String(stats.totals.inFlight),
      String(stats.totals.dead),
      '',
    ],
  ];
  return formatTable(rows);
}
