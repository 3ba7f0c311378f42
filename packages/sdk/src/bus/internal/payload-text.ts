import type { Message } from '../../schemas/message.ts';

/** What a store kept of a message's payload: the value and the JSON text it wrote for it. */
interface KeptText {
  readonly payload: unknown;
  readonly text: string;
}

/** The property a kept text hides under: a symbol, not enumerable, so JSON, spreads and equality checks never see it. */
const KEPT_TEXT = Symbol('fleet.keptPayloadText');

/**
 * Payload texts shorter than this are not kept: the bus's answers serialize such payloads again,
 * which costs less than keeping and splicing them (measured, encoding a send's answer: 100
 * characters 0.95 µs whole vs 1.3 spliced; 1,000 characters 2.3 vs 1.4; 64 KiB 72 vs 1.7).
 */
export const MIN_KEPT_PAYLOAD_CHARS = 512;

/**
 * Remembers, on a message a store hands out, the JSON text it wrote for the payload: exactly
 * `JSON.stringify(message.payload)` (the SQLite store writes that text and reads it back verbatim).
 * The bus's answers splice it in (`encodeSendAnswer`) instead of serializing the payload again. The
 * text rides on the message object itself, in a hidden property (about 0.2 µs; a `WeakMap` entry
 * cost 0.8 µs and slowed every garbage collection of the young generation after it). Texts under
 * {@link MIN_KEPT_PAYLOAD_CHARS} characters, and a message without a payload, keep nothing.
 */
export function keepPayloadText(message: Message, text: string): void {
  if (text.length < MIN_KEPT_PAYLOAD_CHARS || message.payload === undefined) return;
  const kept: KeptText = { payload: message.payload, text };
  Object.defineProperty(message, KEPT_TEXT, { value: kept });
}

/**
 * The payload's JSON text kept for `message`, or `undefined`: none was kept, or the message's
 * payload is no longer the value it was kept for. (A payload changed in place is not noticed: the
 * text is spliced into the answer right after the store returned the message.)
 */
export function payloadTextOf(message: Message): string | undefined {
  const kept = (message as { [KEPT_TEXT]?: KeptText })[KEPT_TEXT];
  return kept !== undefined && kept.payload === message.payload ? kept.text : undefined;
}
