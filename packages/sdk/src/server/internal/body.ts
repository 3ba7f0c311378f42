import type { IncomingMessage } from 'node:http';
import type { ServerRequest } from 'srvx';
import { HttpError } from '../http-error.ts';

function tooLarge(limit: number): HttpError {
  return new HttpError('payload_too_large', `Request body is larger than ${limit} bytes`, {
    details: { limitBytes: limit },
  });
}

function incomplete(cause?: unknown): HttpError {
  return new HttpError('invalid_json', 'Request body ended before it was complete', { cause });
}

/**
 * True when a `content-type` header is JSON (`application/json` or any `+json` type), or absent
 * (older clients send JSON without one).
 */
export function isJsonContentType(contentType: string | null): boolean {
  if (contentType === null || contentType === '') return true;
  const end = contentType.indexOf(';');
  const type = (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * Reads the whole request body as UTF-8 text, refusing (413) a declared `content-length` over
 * `limit` before reading anything and counting streamed bytes (chunked bodies) as they arrive.
 */
export async function readBodyText(request: ServerRequest, limit: number): Promise<string> {
  return (await readBodyBytes(request, limit)).toString('utf8');
}

/** Reads the whole request body as its exact bytes, within `limit` like {@link readBodyText}. */
export function readBodyBytes(request: ServerRequest, limit: number): Promise<Buffer> {
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
        // Keep the connection usable: let Node discard the rest of the body.
        req.resume();
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
