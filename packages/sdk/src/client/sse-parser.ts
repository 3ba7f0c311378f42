/** One Server-Sent Event, as dispatched by {@link SseParser}. */
export interface SseEvent {
  /** The `event:` field, or `message` when the event had none. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen so far in the stream (the spec's "last event ID"), or `''`. */
  id: string;
  /** The `retry:` reconnection time in milliseconds, when this event set one. */
  retry?: number;
}

/**
 * An incremental parser of the `text/event-stream` format (WHATWG HTML, "Server-sent events"):
 * feed it decoded text in chunks of any size and it returns the events each chunk completes.
 * Lines end with CRLF, LF or CR; `:` lines are comments; a blank line dispatches the event; an
 * event without data is not dispatched; a final event not followed by a blank line is dropped.
 * Each chunk is scanned once, however long the line it continues.
 *
 * @example
 * ```ts
 * const parser = new SseParser();
 * parser.push('event: message\ndata: {"a"'); //=> []
 * parser.push(':1}\n\n'); //=> [{ event: 'message', data: '{"a":1}', id: '' }]
 * ```
 */
export class SseParser {
  /** The unfinished line, in the pieces it arrived in (joined once it ends). */
  #pending: string[] = [];
  #pendingLength = 0;
  #started = false;
  #skipLf = false;
  #event = '';
  #data: string[] = [];
  #dataLength = 0;
  #id = '';
  #retry: number | undefined;
  readonly #maxEventLength: number;

  /**
   * @param options.maxEventLength The most characters one event may hold (its data and the line
   *   being read); `push()` throws a `RangeError` past it, so a stream without line ends cannot
   *   fill memory. @default Infinity
   */
  constructor(options: { maxEventLength?: number } = {}) {
    this.#maxEventLength = options.maxEventLength ?? Number.POSITIVE_INFINITY;
  }

  /** Parses a chunk of text; returns the events it completed, in order. */
  push(chunk: string): SseEvent[] {
    let text = chunk;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.length === 0) return [];
    // A CR ended the previous chunk: an LF opening this one belongs to it.
    if (this.#skipLf && text.startsWith('\n')) text = text.slice(1);
    this.#skipLf = false;

    const events: SseEvent[] = [];
    let start = 0;
    for (let index = 0; index < text.length; index += 1) {
      const char = text.charCodeAt(index);
      if (char !== 0x0a && char !== 0x0d) continue;
      const event = this.#line(this.#takeLine(text.slice(start, index)));
      if (event) events.push(event);
      if (char === 0x0d) {
        if (index + 1 === text.length) this.#skipLf = true;
        else if (text.charCodeAt(index + 1) === 0x0a) index += 1;
      }
      start = index + 1;
    }
    if (start < text.length) {
      this.#pending.push(start === 0 ? text : text.slice(start));
      this.#pendingLength += text.length - start;
      this.#checkLength();
    }
    return events;
  }

  /** The line that just ended: what was pending, then `tail`. */
  #takeLine(tail: string): string {
    if (this.#pending.length === 0) return tail;
    this.#pending.push(tail);
    const line = this.#pending.join('');
    this.#pending = [];
    this.#pendingLength = 0;
    return line;
  }

  #checkLength(): void {
    if (this.#dataLength + this.#pendingLength > this.#maxEventLength) {
      throw new RangeError(`an event of the stream is longer than ${this.#maxEventLength} characters`);
    }
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        // Joined with '\n' when dispatched.
        this.#dataLength += (this.#data.length > 0 ? 1 : 0) + value.length;
        this.#data.push(value);
        this.#checkLength();
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.#retry = Number(value);
        break;
      default:
        break;
    }
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const event = this.#event || 'message';
    const data = this.#data;
    const retry = this.#retry;
    this.#event = '';
    this.#data = [];
    this.#dataLength = 0;
    this.#retry = undefined;
    if (data.length === 0) return undefined;
    return { event, data: data.join('\n'), id: this.#id, ...(retry !== undefined ? { retry } : {}) };
  }
}
