/**
 * A response body already encoded as JSON text, which the server plumbing sends as it is. The
 * knowledge store keeps fact values and tags as JSON text: splicing that text into a page skips
 * parsing every value only to serialize it again. `T` is the type the text decodes to.
 *
 * `JSON.stringify(encoded)` gives the same JSON as the text, so an encoded value nested in
 * another answer still serializes correctly (at the cost of one parse).
 *
 * @example
 * ```ts
 * const page = db.serveQuery({ prefix: 'hosts/' }); // EncodedJson<FactPage>
 * page.decode().facts.length;
 * ```
 */
export class EncodedJson<T> {
  /** The JSON text. */
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  /** The value the text encodes. */
  decode(): T {
    return JSON.parse(this.text) as T;
  }

  /** For `JSON.stringify`: the decoded value. */
  toJSON(): T {
    return this.decode();
  }
}

/**
 * Encodes a list answer (`{"<key>": [...], "count": N, ...rest}`, the envelope of `listOf` and
 * `pageOf`) from its items' JSON texts and the fields after the list, in that order.
 */
export function encodeList<T>(key: string, items: readonly string[], rest: Record<string, unknown>): EncodedJson<T> {
  const tail = JSON.stringify({ count: items.length, ...rest });
  return new EncodedJson<T>(`{${JSON.stringify(key)}:[${items.join(',')}],${tail.slice(1)}`);
}
