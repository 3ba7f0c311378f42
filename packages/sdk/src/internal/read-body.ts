/** An answer's body was larger than the client reads; the reading was cancelled. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError' as const;
  /** The limit it went past, in bytes. */
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    super(`the answer is larger than ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
  }
}

/** What bounds the reading of a body. */
export interface BodyLimits {
  /** Aborting it cancels the reading, which rejects with its reason. */
  signal: AbortSignal;
  /** Past this many bytes the reading is cancelled with a {@link BodyTooLargeError}. */
  maxBytes: number;
}

/**
 * Reads an answer's body as UTF-8 text (as `response.text()` does), but cancels the reading when
 * `signal` aborts or the body grows past `maxBytes`: the reader is ours, so the abort does not
 * depend on fetch still following the signal (undici loses that link on garbage collection,
 * nodejs/undici#4068), and a peer streaming gigabytes is cut at the limit instead of buffered.
 * Cancelling the reader closes the connection.
 */
export async function readBodyText(response: Response, { signal, maxBytes }: BodyLimits): Promise<string> {
  if (signal.aborted) throw signal.reason;
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    void response.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(maxBytes);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  // A cancel resolves the pending read as done; the loop then throws the reason.
  const onAbort = () => void reader.cancel(signal.reason).catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        void reader.cancel().catch(() => undefined);
        throw new BodyTooLargeError(maxBytes);
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
    parts.push(decoder.decode());
    return parts.join('');
  } catch (error) {
    // fetch may have seen the abort too: what it threw says less than the reason.
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
