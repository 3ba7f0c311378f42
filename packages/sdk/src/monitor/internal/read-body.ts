import { BodyTooLargeError, readBodyText } from '../../internal/read-body.ts';

/** The probe's own timeout aborts the fetch, which ends the reading too. */
const NEVER_ABORTED = new AbortController().signal;

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
  let text: string;
  try {
    text = (await readBodyText(response, { signal: NEVER_ABORTED, maxBytes })).trim();
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { body: undefined, problem: `body larger than ${maxBytes} bytes` };
    throw error;
  }
  if (text.startsWith('{') || text.startsWith('[') || text.startsWith('"')) {
    try {
      return { body: JSON.parse(text) as unknown };
    } catch {
      // Not JSON after all: conditions compare the text.
    }
  }
  return { body: text };
}
