import type { DeadLetter, Delivery, Message, NackResult } from '@fleet/sdk';

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

/** One line for a nack: when the message comes back, or that it was dead-lettered. */
export function formatNack(result: NackResult): string {
  const attempts = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
  return result.state === 'dead'
    ? `nacked ${result.id}: dead-lettered after ${attempts} (fleet-bus dlq list)`
    : `nacked ${result.id}: delivered again at ${result.availableAt} (${attempts} so far)`;
}

/**
 * What to do with leased messages that were not acked: the commands that finish the job, with the
 * receipts filled in (and `--url` when one was given), before the lease runs out.
 */
export function formatLeaseHint(deliveries: readonly Delivery[], url?: string): string[] {
  const receipts = deliveries.map((delivery) => delivery.receipt);
  const first = deliveries.map((delivery) => delivery.leaseExpiresAt).sort()[0];
  const one = receipts.length === 1 ? receipts[0] : '<receipt>';
  const suffix = url ? ` --url ${url}` : '';
  const expiry =
    receipts.length === 1
      ? `the lease runs out at ${first}, then the message is delivered again`
      : `the leases run out from ${first}, then the messages are delivered again`;
  return [
    `not acknowledged: ${expiry}. Finish with:`,
    `  done       fleet-bus ack${receipts.map((receipt) => ` --receipt ${receipt}`).join('')}${suffix}`,
    `  failed     fleet-bus nack --receipt ${one} [--delay SECONDS] [--reason TEXT]${suffix}`,
    `  more time  fleet-bus extend --receipt ${one} --lease SECONDS${suffix}`,
  ];
}
