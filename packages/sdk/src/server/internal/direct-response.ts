import type { ServerResponse } from 'node:http';
import { type H3, toResponse } from 'h3';
import { sendNodeResponse } from 'srvx/node';
import type { HttpError } from '../http-error.ts';
import type { NodeRequestInput } from './request-input.ts';
import {
  encodeJsonResult,
  errorResult,
  JSON_CONTENT_TYPE,
  jsonResult,
  type ServerLogger,
  toHttpError,
} from './respond.ts';
import type { RouteOutcome } from './route-outcome.ts';

/**
 * Writes the outcome of a route served straight from node:http, byte for byte as h3 and srvx would
 * (the same headers in the same order, srvx's empty reason phrase). A JSON value or an error
 * envelope is written here; anything else (a `Response` the handler returned, or a request whose
 * handler built the h3 event and may have set its response headers) goes through h3's own
 * response pipeline.
 */
export function sendDirect(
  res: ServerResponse,
  input: NodeRequestInput,
  outcome: RouteOutcome,
  app: H3,
): Promise<void> | undefined {
  if (!input.eventBuilt()) {
    if (outcome.type === 'error') {
      writeError(res, outcome.error);
      return undefined;
    }
    if (outcome.type === 'result') {
      const encoded = encodeJsonResult(outcome.value);
      if (encoded) {
        write(res, outcome.status, encoded.text, ['content-type', encoded.contentType]);
        return undefined;
      }
    }
  }
  const event = input.event();
  // A handler that built the event may have set its response headers: h3's pipeline applies them.
  const value =
    outcome.type === 'error'
      ? errorResult(outcome.error)
      : outcome.type === 'stream'
        ? outcome.response
        : jsonResult(event, outcome.value, outcome.status);
  return Promise.resolve(toResponse(value, event, app.config)).then((response) =>
    sendNodeResponse(res, response).catch((error: unknown) => {
      throw new SendingFailed(error);
    }),
  );
}

/**
 * An answer that failed while it was being written (node:http refused its head: a header value with
 * a control character, say): {@link failDirect} then answers as srvx does, not with an envelope.
 */
class SendingFailed extends Error {
  override name = 'SendingFailed' as const;
  constructor(cause: unknown) {
    super('Sending the response failed', { cause });
  }
}

/** Writes the error envelope, with the headers h3 would send: the error's own merged into the JSON type, as `Headers` order them. */
export function writeError(res: ServerResponse, error: HttpError): void {
  const text = JSON.stringify(error.toJSON());
  if (!error.headers) {
    write(res, error.status, text, ['content-type', JSON_CONTENT_TYPE]);
    return;
  }
  const headers: string[] = [];
  for (const [name, value] of new Headers({ 'content-type': JSON_CONTENT_TYPE, ...error.headers })) {
    headers.push(name, value);
  }
  write(res, error.status, text, headers);
}

/** Writes a whole answer: the given headers, then its `content-length`, with srvx's empty reason phrase. */
function write(res: ServerResponse, status: number, text: string, headers: string[]): void {
  headers.push('content-length', String(Buffer.byteLength(text)));
  try {
    res.writeHead(status, '', headers);
  } catch (error) {
    throw new SendingFailed(error);
  }
  res.end(text);
}

/**
 * When a direct route's answer could not be made or sent, answers as h3 and srvx do: if the answer
 * could not be made (a result JSON cannot encode, say), the 500 `internal` envelope, its cause
 * logged, never sent; if it failed while being written, or anything already went out, what srvx
 * does then: a bare 500 (its reason phrase node:http's), or a cut connection once the head is out.
 * The failure is logged through the server's logger (srvx writes it to `console.error`).
 */
export function failDirect(res: ServerResponse, error: unknown, logger: ServerLogger, where: string): void {
  if (!res.headersSent && !(error instanceof SendingFailed)) {
    try {
      writeError(res, toHttpError(error, logger, where));
      return;
    } catch (writing) {
      error = writing;
    }
  }
  logger.error(`${where}: sending the response failed:`, error instanceof SendingFailed ? error.cause : error);
  if (res.writableEnded) return;
  if (res.headersSent) res.destroy();
  else {
    res.statusCode = 500;
    res.statusMessage = '';
    res.end();
  }
}
