/** The last `maxBytes` bytes written to it: what a long-running command printed, bounded. */
export class OutputTail {
  readonly #maxBytes: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #dropped = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size > this.#maxBytes && this.#chunks.length > 0) {
      const first = this.#chunks[0]!;
      const excess = this.#size - this.#maxBytes;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#size -= first.length;
        this.#dropped += first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#size -= excess;
        this.#dropped += excess;
      }
    }
  }

  /** The kept tail as text, starting with a marker when the beginning was dropped. */
  toString(): string {
    const text = Buffer.concat(this.#chunks).toString('utf8');
    return this.#dropped > 0 ? `[${this.#dropped} bytes before this dropped]\n${text}` : text;
  }
}

/** The markers {@link OutputTail} and {@link tailOf} put where they dropped the beginning of a text. */
const CUT_MARKER = /\[\d+ bytes before this dropped\]\n|\[…\]/g;

/**
 * Where the kept text starts after each cut in `text`: just after every marker of a dropped
 * beginning. The cut was made without knowing the secrets, so the end of one may start there.
 */
export function cutEnds(text: string): number[] {
  return [...text.matchAll(CUT_MARKER)].map((match) => match.index + match[0].length);
}

/** The last `maxChars` characters of `text`, marked as cut when it was longer. */
export function tailOf(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `[…]${text.slice(text.length - maxChars)}`;
}
