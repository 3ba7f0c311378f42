import { z } from 'zod';
import { Health } from '../schemas/health.ts';
import { defineRoute } from './route.ts';

/** Routes every Fleet server serves, implemented once by `createFleetServer`. */
export const commonRoutes = {
  health: defineRoute({
    method: 'GET',
    path: '/health',
    summary: 'Liveness and version',
    response: Health,
    auth: false,
  }),
  openapi: defineRoute({
    method: 'GET',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document, generated from the SDK schemas',
    response: z.record(z.string(), z.unknown()),
    auth: false,
  }),
  metrics: defineRoute({
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format)',
    response: z.string(),
    kind: 'text',
  }),
} as const;
