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
 *
 * @example
 * ```ts
 * const parser = new SseParser();
 * parser.push('event: message\ndata: {"a"'); //=> []
 * parser.push(':1}\n\n'); //=> [{ event: 'message', data: '{"a":1}', id: '' }]
 * ```
 */
export class SseParser {
  #buffer = '';
  #started = false;
  #skipLf = false;
  #event = '';
  #data: string[] = [];
  #id = '';
  #retry: number | undefined;

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
    this.#buffer += text;

    const events: SseEvent[] = [];
    let start = 0;
    for (let index = 0; index < this.#buffer.length; index += 1) {
      const char = this.#buffer[index];
      if (char !== '\n' && char !== '\r') continue;
      const event = this.#line(this.#buffer.slice(start, index));
      if (event) events.push(event);
      if (char === '\r') {
        if (index + 1 === this.#buffer.length) this.#skipLf = true;
        else if (this.#buffer[index + 1] === '\n') index += 1;
      }
      start = index + 1;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
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
        this.#data.push(value);
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
    this.#retry = undefined;
    if (data.length === 0) return undefined;
    return { event, data: data.join('\n'), id: this.#id, ...(retry !== undefined ? { retry } : {}) };
  }
}
