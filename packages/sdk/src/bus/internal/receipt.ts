import { randomString } from '../../internal/random-pool.ts';

/**
 * A receipt names one lease of one message: `<messageId>~<leaseToken>`. A fresh token per delivery
 * means a receipt from an earlier, expired lease never acks a later delivery.
 */
export function makeReceipt(messageId: string): { receipt: string; leaseToken: string } {
  const leaseToken = randomString(9, 'base64url');
  return { receipt: `${messageId}~${leaseToken}`, leaseToken };
}

/** Splits a receipt into message id and lease token; undefined when it is not one. */
export function parseReceipt(receipt: string): { messageId: string; leaseToken: string } | undefined {
  const at = receipt.lastIndexOf('~');
  if (at <= 0 || at === receipt.length - 1) return undefined;
  return { messageId: receipt.slice(0, at), leaseToken: receipt.slice(at + 1) };
}
