import { FleetError } from '../../errors.ts';
import type { Message } from '../../schemas/message.ts';
import { MAX_SEND_COPIES_BYTES } from '../../schemas/message.ts';

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value ?? null));

/** JSON bytes of a copy without its payload (`null` in its place, 4 bytes, taken off). */
const fieldBytes = (message: Message): number => jsonBytes({ ...message, payload: null }) - 4;

/**
 * Adds up the JSON bytes of the copies a send or batch answers with that its body does not bound,
 * and refuses (413 `payload_too_large`, naming the item) the item that takes the sum past
 * {@link MAX_SEND_COPIES_BYTES}, before anything is stored:
 * - a fan-out (a topic or a broadcast reaching two agents or more) answers one copy per recipient;
 * - a repeated idempotency key answers the copies its first send stored, however small the repeat.
 * The other copies (one per item) carry a payload of the body, so the body limit bounds them.
 * Without the bound a 1 MB payload to 600 subscribers, or a batch repeating one key 100 times, was
 * stored and then answered 500 (the answer was longer than a JavaScript string can be), or, smaller,
 * with more than a client reads by default: the sender saw an error either way, and a retry stored
 * the send again.
 */
export class CopiesSizeTally {
  readonly #batch: boolean;
  #bytes = 0;

  /** `batch`: the sends came as a batch, so fields are named `messages.3.payload` rather than `payload`. */
  constructor(batch: boolean) {
    this.#batch = batch;
  }

  /** Counts the new copies of item `index` (all with `payload`) when they are a fan-out. */
  addCopies(index: number, copies: readonly Message[], payload: unknown): void {
    if (copies.length < 2) return;
    const payloadBytes = jsonBytes(payload);
    let bytes = 0;
    for (const copy of copies) bytes += payloadBytes + fieldBytes(copy);
    this.#add(bytes, index, `${count(copies.length)} copies of a ${count(payloadBytes)}-byte payload`, 'payload');
  }

  /** Counts the earlier copies a repeated idempotency key of item `index` answers with. */
  addRepeat(index: number, copies: readonly Message[]): void {
    let bytes = 0;
    for (const copy of copies) bytes += jsonBytes(copy);
    const what = `the ${count(copies.length)} earlier ${copies.length === 1 ? 'copy' : 'copies'} its idempotency key answers with`;
    this.#add(bytes, index, what, 'idempotencyKey');
  }

  #add(bytes: number, index: number, what: string, name: string): void {
    this.#bytes += bytes;
    if (this.#bytes <= MAX_SEND_COPIES_BYTES) return;
    const field = this.#batch ? `messages.${index}.${name}` : name;
    const message =
      `${what} (${field}) bring the send's answer to ${count(this.#bytes)} bytes of copies, over the ` +
      `${count(MAX_SEND_COPIES_BYTES)} one send may answer with: send a smaller payload (a reference to the content, say) or to fewer recipients`;
    throw new FleetError('payload_too_large', message, {
      details: { issues: [{ field, message, code: 'too_big' }] },
    });
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
