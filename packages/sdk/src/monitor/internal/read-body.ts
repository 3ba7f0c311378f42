/** A response body read with a size bound: the value conditions see, or why there is none. */
export interface BoundedBody {
  /** Parsed JSON, or the trimmed text when it is not JSON; `undefined` with `problem` set. */
  body: unknown;
  problem?: string;
}

/**
 * Reads at most `maxBytes` of a body and parses it as JSON when it is JSON. A larger body is
 * cancelled rather than buffered: a misbehaving target must not make the monitor hold megabytes.
 */
export async function readBoundedBody(response: Response, maxBytes: number): Promise<BoundedBody> {
  if (!response.body) return { body: '' };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return { body: undefined, problem: `body larger than ${maxBytes} bytes` };
    }
    chunks.push(value);
  }
  const text = new TextDecoder().decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).trim();
  if (text.startsWith('{') || text.startsWith('[') || text.startsWith('"')) {
    try {
      return { body: JSON.parse(text) as unknown };
    } catch {
      // Not JSON after all: conditions compare the text.
    }
  }
  return { body: text };
}
