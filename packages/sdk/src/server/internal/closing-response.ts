import { type IncomingMessage, ServerResponse } from 'node:http';

/**
 * node:http's response, closing its connection after an answer that goes out before the request's
 * body has fully arrived (a 401, 403, 413 or 415 before the body was read, a 413 past the limit).
 * Left open, node:http would read and discard the rest of the body to reuse the connection, as
 * long as the client keeps sending (a declared `Content-Length` of 10^12, an endless chunked body),
 * until its request timeout; an `Expect: 100-continue` client that was never asked for its body
 * would have it taken for its next request. A request whose body is in (or that has none) keeps
 * its connection. Passed to `createServer` as its `ServerResponse` class, so both ways in (h3 and
 * the direct routes) and every status they write go through it.
 */
export class ClosingServerResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  // One signature for all of node:http's overloads: they differ only in what follows the status.
  override writeHead(...args: unknown[]): this {
    if (!this.req.complete) this.shouldKeepAlive = false;
    return (ServerResponse.prototype.writeHead as (...args: unknown[]) => this).apply(this, args);
  }
}
