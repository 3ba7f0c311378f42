import { HTTPResponse } from 'h3';
import type { Registry } from 'prom-client';
import { commonRoutes } from '../../contract/common-routes.ts';
import { isOutage } from '../../internal/outage.ts';
import type { Health } from '../../schemas/health.ts';
import { HttpError } from '../http-error.ts';
import { implement, type RouteImplementation } from '../implement.ts';
import { logOutage } from './outage-log.ts';
import { RETRY_SOON, type ServerLogger } from './respond.ts';

/** What the common routes read from their server. */
export interface CommonHandlerOptions {
  service: string;
  version: string;
  health: (() => Record<string, unknown> | Promise<Record<string, unknown>>) | undefined;
  registry: Registry;
  openapi: () => Record<string, unknown>;
  logger: ServerLogger;
}

/** `GET /health`, `GET /openapi.json` and `GET /metrics`, served by every Fleet server. */
export function commonImplementations(options: CommonHandlerOptions): RouteImplementation[] {
  const { service, version, registry } = options;
  const startedAt = performance.now();
  let openapiJson: string | undefined;

  return [
    implement(commonRoutes.health, async (): Promise<Health> => {
      const uptimeSeconds = Math.round(performance.now() - startedAt) / 1000;
      if (!options.health) return { status: 'ok', service, version, uptimeSeconds };
      let details: Record<string, unknown>;
      try {
        details = await options.health();
      } catch (error) {
        if (!isOutage(error)) {
          options.logger.warn(`${service}: health check failed:`, error);
          throw new HttpError('unavailable', 'Health check failed', { cause: error });
        }
        logOutage(options.logger, `${service}: health check`, error);
        // An outage's message and details are written for clients (a request would answer them too).
        throw new HttpError('unavailable', `Health check failed: ${error.message}`, {
          ...(error.details === undefined ? {} : { details: error.details }),
          headers: RETRY_SOON,
          cause: error,
        });
      }
      return { status: 'ok', service, version, uptimeSeconds, details };
    }),
    implement(commonRoutes.openapi, () => {
      openapiJson ??= JSON.stringify(options.openapi());
      return new HTTPResponse(openapiJson, {
        headers: { 'content-type': 'application/json; charset=utf-8' },
      }) as unknown as Record<string, unknown>;
    }),
    implement(commonRoutes.metrics, async () => {
      const text = await registry.metrics();
      return new HTTPResponse(text, { headers: { 'content-type': registry.contentType } }) as unknown as string;
    }),
  ];
}
