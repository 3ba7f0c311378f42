import type { Message } from '../../schemas/message.ts';

/** What a store kept of a message's payload: the value and the JSON text it wrote for it. */
interface KeptText {
  payload: unknown;
  text: string;
}

const kept = new WeakMap<Message, KeptText>();

/**
 * Remembers, for a message a store hands out, the JSON text it wrote for the payload: exactly
 * `JSON.stringify(message.payload)` (the SQLite store writes that text and reads it back verbatim).
 * The bus's answers splice it in ({@link encodeSendAnswer}) instead of serializing the payload
 * again. A message without a payload (`undefined`, which JSON leaves out) keeps nothing.
 */
export function keepPayloadText(message: Message, text: string): void {
  if (message.payload !== undefined) kept.set(message, { payload: message.payload, text });
}

/**
 * The payload's JSON text kept for `message`, or `undefined`: none was kept, or the message's
 * payload is no longer the value it was kept for. (A payload changed in place is not noticed: the
 * text is spliced into the answer right after the store returned the message.)
 */
export function payloadTextOf(message: Message): string | undefined {
  const entry = kept.get(message);
  return entry !== undefined && entry.payload === message.payload ? entry.text : undefined;
}
