import type { ErrorCode } from '../../schemas/error.ts';

/**
 * What each error code means to a caller, for `/openapi.json` and the HTTP API reference. Typed
 * over every code, so a new code cannot be added without saying what it means.
 */
export const errorCodeDescription: Readonly<Record<ErrorCode, string>> = {
  invalid_json: 'The request body is not valid JSON.',
  validation_failed:
    'A parameter or body field failed the schema; `details.issues` names each `field` (e.g. `messages.3.to`).',
  unauthorized: 'The server has tokens and the request has no valid `Authorization: Bearer <token>`.',
  cross_site_request:
    "A browser sent the request on another site's behalf (`Sec-Fetch-Site`, or an `Origin` that is not the server's): a route that changes state takes requests from the server's own pages and from clients that are not browsers.",
  host_not_allowed:
    'The server has no tokens and the `Host` header names neither an IP address, `localhost`, nor a name the server allows (`--allowed-host`): a web page could otherwise reach it by rebinding its own domain to this address. `details.host` is the name.',
  not_found: 'Nothing exists under the id or key in the path (`details.field` names the parameter).',
  route_not_found: 'No route has this path.',
  method_not_allowed:
    'The path exists, but not with this method: `details.allowed` and the `Allow` header list the methods.',
  payload_too_large:
    "The body is over the server's limit (1 MiB unless `--body-limit` says otherwise), or a send would answer with more than 48 MiB of copies (a topic or broadcast fan-out, a repeated idempotency key; `details.issues` names the item).",
  unsupported_media_type: 'A request body must be sent with `Content-Type: application/json`.',
  receipt_unknown: 'The receipt is malformed or names no message (never issued, or the message was acked or removed).',
  receipt_expired:
    'The message is no longer leased under this receipt (the lease ran out, it was nacked, or it was delivered again): receive it again.',
  request_timeout:
    "The request line, headers or body did not arrive in time (node:http's `headersTimeout` and `requestTimeout`); the connection is closed.",
  conflict: 'The request contradicts what is stored.',
  resync_required:
    'The pull cursor predates tombstones collected since, or this database never gave it out (it was replaced, or restored from an older copy): pull again from `since: 0`.',
  headers_too_large:
    "The request line and headers are longer than the server reads (16 KiB, node:http's `maxHeaderSize`); the connection is closed.",
  clock_skew: "A change's version is too far ahead of this node's clock; nothing of the batch was applied.",
  internal: 'An unexpected failure; the server logged it.',
  unavailable:
    'The server is shutting down, its store is closed, its health check failed, or a stream fell too far behind. Retry later.',
};
