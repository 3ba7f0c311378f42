import type { ServerResponse } from 'node:http';
import { type H3, toResponse } from 'h3';
import { sendNodeResponse } from 'srvx/node';
import type { NodeRequestInput } from './request-input.ts';
import { encodeJsonResult, errorResult, JSON_CONTENT_TYPE, jsonResult, type ServerLogger } from './respond.ts';
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
      const { error } = outcome;
      write(res, error.status, JSON_CONTENT_TYPE, JSON.stringify(error.toJSON()), error.headers);
      return undefined;
    }
    if (outcome.type === 'result') {
      const encoded = encodeJsonResult(outcome.value);
      if (encoded) {
        write(res, outcome.status, encoded.contentType, encoded.text, undefined);
        return undefined;
      }
    }
  }
  const event = input.event();
  const value =
    outcome.type === 'error'
      ? errorResult(outcome.error)
      : outcome.type === 'stream'
        ? outcome.response
        : jsonResult(event, outcome.value, outcome.status);
  return Promise.resolve(toResponse(value, event, app.config)).then((response) => sendNodeResponse(res, response));
}

function write(
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  extra: Readonly<Record<string, string>> | undefined,
): void {
  const headers = ['content-type', contentType];
  if (extra) for (const name in extra) headers.push(name, extra[name]!);
  headers.push('content-length', String(Buffer.byteLength(text)));
  res.writeHead(status, '', headers);
  res.end(text);
}

/**
 * When a direct route's answer cannot be sent, does what srvx does: a bare 500 if nothing went out
 * yet, else cuts the connection; and says so.
 */
export function failDirect(res: ServerResponse, error: unknown, logger: ServerLogger, where: string): void {
  logger.error(`${where}: sending the response failed:`, error);
  if (res.writableEnded) return;
  if (res.headersSent) res.destroy();
  else {
    res.statusCode = 500;
    res.end();
  }
}
