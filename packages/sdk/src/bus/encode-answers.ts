import { EncodedJson } from '../contract/encoded-json.ts';
import type { Delivery, ReceiveResult } from '../schemas/lease.ts';
import type { Message, MessageList, SendResult } from '../schemas/message.ts';
import { payloadTextOf } from './internal/payload-text.ts';

/**
 * Stands in for a kept payload while the answer is serialized; each payload text replaces the
 * mark's JSON form. Should a field hold the same text, the marks found do not add up and the answer
 * is serialized whole instead.
 */
const MARK = '\u0000fleet:kept-payload\u0000';
const MARK_JSON = JSON.stringify(MARK);

/** Maps each message of an answer to the copy the answer is serialized with. */
type MessageMapper = (message: Message) => Message;

const asIs: MessageMapper = (message) => message;

/**
 * Serializes the answer `build` makes, splicing in the payload texts the store kept
 * (`keepPayloadText`, long ones only) instead of serializing those payloads again; the text is the
 * same as `JSON.stringify` of the answer.
 */
function encodeWithKeptPayloads<T>(build: (mapMessage: MessageMapper) => T): EncodedJson<T> {
  const texts: string[] = [];
  const answer = build((message) => {
    const text = payloadTextOf(message);
    if (text === undefined) return message;
    texts.push(text);
    return { ...message, payload: MARK };
  });
  const json = JSON.stringify(answer);
  if (texts.length === 0) return new EncodedJson<T>(json);
  let spliced = '';
  let from = 0;
  for (const text of texts) {
    const at = json.indexOf(MARK_JSON, from);
    if (at < 0) return new EncodedJson<T>(JSON.stringify(build(asIs)));
    spliced += json.slice(from, at) + text;
    from = at + MARK_JSON.length;
  }
  if (json.includes(MARK_JSON, from)) return new EncodedJson<T>(JSON.stringify(build(asIs)));
  return new EncodedJson<T>(spliced + json.slice(from));
}

/**
 * The JSON answer of a send or batch (`POST /message`, `POST /messages/batch`). With a store that
 * keeps its payload texts (SQLite), each new copy's payload is spliced in from the text the store
 * wrote rather than serialized again: a send serializes its payload once instead of twice.
 */
export function encodeSendAnswer(result: SendResult): EncodedJson<SendResult> {
  return encodeWithKeptPayloads((mapMessage) => ({ ...result, messages: result.messages.map(mapMessage) }));
}

/**
 * The JSON answer of a leased receive (`POST /receive`). With a store that keeps its payload texts
 * (SQLite), each payload goes out as the text the store read, not parsed and serialized again.
 */
export function encodeReceiveAnswer(deliveries: Delivery[]): EncodedJson<ReceiveResult> {
  return encodeWithKeptPayloads((mapMessage) => ({
    deliveries: deliveries.map((delivery) => {
      const message = mapMessage(delivery.message);
      return message === delivery.message ? delivery : { ...delivery, message };
    }),
    count: deliveries.length,
  }));
}

/** The JSON answer of the old bus's poll (`GET /messages`), payloads spliced as for a receive. */
export function encodePollAnswer(messages: Message[]): EncodedJson<MessageList> {
  return encodeWithKeptPayloads((mapMessage) => ({ messages: messages.map(mapMessage), count: messages.length }));
}
