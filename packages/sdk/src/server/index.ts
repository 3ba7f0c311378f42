/**
 * `@fleet/sdk/server`: the HTTP plumbing every Fleet server shares (h3, node:http, prom-client).
 * Clients never import this entry, so they never load h3.
 */

export type { FleetServer, FleetServerOptions } from './create-server.ts';
// Server
export { createFleetServer, DEFAULT_SSE_KEEPALIVE_MS } from './create-server.ts';
export type { HttpErrorOptions } from './http-error.ts';

// Errors and validation
export { errorCodeStatus, HttpError, isHttpError } from './http-error.ts';
export type { RouteContext, RouteHandler, RouteImplementation, RouteResult } from './implement.ts';
export { implement } from './implement.ts';
export type { ListenAddress, ListenOptions } from './listen.ts';
export { isLoopbackHost } from './listen.ts';
export type { OpenApiOptions } from './openapi.ts';
// OpenAPI
export { createOpenApiDocument } from './openapi.ts';
export { FleetServerStartError } from '../start-error.ts';
export { EncodedJson } from '../contract/encoded-json.ts';
export type { RequestPart } from './validate.ts';
export { validateInput, validationError } from './validate.ts';
