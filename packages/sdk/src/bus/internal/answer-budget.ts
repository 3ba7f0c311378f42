/** What each message of an answer costs besides its payload's JSON: its id, names, times and such. */
export const MESSAGE_FIELDS_BYTES = 1024;

/**
 * Counts the bytes of an answer's messages against `maxBytes` (see `MAX_POLL_ANSWER_BYTES`): `takes`
 * says whether a message whose payload JSON is `payloadBytes` long still fits. The first message
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
  takes(payloadBytes: number): boolean {
    const cost = payloadBytes + MESSAGE_FIELDS_BYTES;
    if (this.#taken > 0 && this.#used + cost > this.#maxBytes) return false;
    this.#used += cost;
    this.#taken += 1;
    return true;
  }
}
