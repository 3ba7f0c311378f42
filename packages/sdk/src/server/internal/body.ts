import type { IncomingMessage } from 'node:http';
import type { ServerRequest } from 'srvx';
import { HttpError } from '../http-error.ts';
import { checkContentEncoding } from './body-headers.ts';

/** The 413 `payload_too_large` for a body over `limit` bytes. */
export function tooLarge(limit: number): HttpError {
  return new HttpError('payload_too_large', `Request body is larger than ${limit} bytes`, {
    details: { limitBytes: limit },
  });
}

function incomplete(cause?: unknown): HttpError {
  return new HttpError('invalid_json', 'Request body ended before it was complete', { cause });
}

/** Strict UTF-8: a bad byte throws instead of becoming U+FFFD; a BOM is kept (and then is not JSON). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads the whole request body as UTF-8 text, within `limit` like {@link readBodyBytes}; a body that
 * is not valid UTF-8 is refused with 400 `invalid_json` rather than read with replacement characters.
 */
export async function readBodyText(request: ServerRequest, limit: number): Promise<string> {
  const bytes = await readBodyBytes(request, limit);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new HttpError('invalid_json', 'Request body is not valid UTF-8');
  }
}

/**
 * Reads the whole request body as its exact bytes, refusing a `content-encoding` other than
 * `identity` (415), a declared `content-length` over `limit` before reading anything (413), and
 * counting streamed bytes (chunked bodies) as they arrive (413 past `limit`).
 */
export function readBodyBytes(request: ServerRequest, limit: number): Promise<Buffer> {
  try {
    checkContentEncoding(request.headers.get('content-encoding'));
  } catch (error) {
    return Promise.reject(error);
  }
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  const nodeReq = request.runtime?.node?.req as IncomingMessage | undefined;
  // Straight from the Node request: no web-stream conversion on the hot path.
  if (nodeReq && !nodeReq.readableEnded && nodeReq.readableFlowing !== true) return readNode(nodeReq, limit);
  return readWeb(request.body, limit);
}

function readNode(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // The rest is left unread: the answer closes the connection (ClosingServerResponse).
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(incomplete(error));
    };
    const onClose = () => {
      cleanup();
      reject(incomplete());
    };
    req.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  });
}

async function readWeb(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (body === null) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        reader.cancel().catch(() => {});
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw incomplete(error);
  }
  return Buffer.concat(chunks, size);
}
