import { FleetError } from '../../errors.ts';
import type { MessageState } from './message-record.ts';
import { parseReceipt } from './receipt.ts';

/** What a receipt check needs to know about a message. */
export interface LeaseView {
  state: MessageState;
  leaseToken: string | null;
  leaseExpiresAt: number | null;
}

/** Whether `message` is leased under `leaseToken` at `nowMs`: in flight, that token, not run out. */
export function leasedUnder(message: LeaseView | undefined, leaseToken: string, nowMs: number): boolean {
  return (
    message?.state === 'in_flight' &&
    message.leaseToken === leaseToken &&
    message.leaseExpiresAt !== null &&
    message.leaseExpiresAt > nowMs
  );
}

/**
 * Resolves a receipt to the message it leases, or throws: `receipt_unknown` when the receipt is
 * malformed or names no message, `receipt_expired` when the message is no longer leased under it.
 * `field` goes into the error details (`receipt`, or `receipts.<index>` for ack).
 */
export function checkReceipt<T extends LeaseView>(
  receipt: string,
  find: (messageId: string) => T | undefined,
  nowMs: number,
  field = 'receipt',
): T {
  const parsed = parseReceipt(receipt);
  const message = parsed ? find(parsed.messageId) : undefined;
  if (!parsed || !message) {
    throw new FleetError('receipt_unknown', `Unknown receipt: ${receipt}`, { details: { field } });
  }
  if (!leasedUnder(message, parsed.leaseToken, nowMs)) {
    throw new FleetError(
      'receipt_expired',
      `Receipt is no longer valid (lease expired or message redelivered): ${receipt}`,
      {
        details: { field },
      },
    );
  }
  return message;
}
