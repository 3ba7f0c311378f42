/**
 * What each message of an answer costs besides its payload's JSON and its text fields (`from`,
 * `to`, `topic`, `type`, `idempotencyKey`, counted by {@link textFieldsBytes}): the field names,
 * punctuation, its id, three timestamps, the numbers and the comma after it, about 300 bytes, with
 * room to spare.
 */
export const MESSAGE_FIXED_BYTES = 512;

/** The text fields of a message, which the sender chose and whose size the budget must count exactly. */
export interface MessageTextFields {
  from: string;
  to: string;
  topic: string | null;
  type: string;
  idempotencyKey: string | null;
}

/** The bytes of a string (or null) as JSON: its quotes, escapes and UTF-8. */
function jsonBytes(text: string | null): number {
  return text === null ? 4 : Buffer.byteLength(JSON.stringify(text));
}

/**
 * The bytes of a message's text fields as JSON (PostgreSQL counts the same with
 * `octet_length(to_json(column)::text)`): up to a few KiB, names and keys being long and non-ASCII
 * text taking up to 3 bytes a character.
 */
export function textFieldsBytes(message: MessageTextFields): number {
  return (
    jsonBytes(message.from) +
    jsonBytes(message.to) +
    jsonBytes(message.topic) +
    jsonBytes(message.type) +
    jsonBytes(message.idempotencyKey)
  );
}

/**
 * Counts the bytes of an answer's messages against `maxBytes` (see `MAX_POLL_ANSWER_BYTES`): `takes`
 * says whether a message still fits, given its payload's JSON size and its text fields; each costs
 * those plus {@link MESSAGE_FIXED_BYTES}, never less than it takes in the answer. The first message
 * always fits, so a message larger than the budget is answered alone rather than never.
 */
export class AnswerBudget {
  readonly #maxBytes: number;
  #used = 0;
  #taken = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Whether the message fits; counts it when it does. */
  takes(payloadBytes: number, fields: MessageTextFields): boolean {
    const cost = payloadBytes + textFieldsBytes(fields) + MESSAGE_FIXED_BYTES;
    if (this.#taken > 0 && this.#used + cost > this.#maxBytes) return false;
    this.#used += cost;
    this.#taken += 1;
    return true;
  }
}
