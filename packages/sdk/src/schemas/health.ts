import { z } from 'zod';

/** `GET /health`, the same shape on every Fleet server. */
export const Health = z.object({
  status: z
    .enum(['ok', 'degraded'])
    .describe("Fleet's servers answer `ok`; when their own check fails they answer 503 `unavailable` instead"),
  service: z.string().describe('Which server: `fleet-bus`, `fleet-knowledge` or `fleet-dashboard`'),
  version: z.string().describe("The server's package version"),
  uptimeSeconds: z.number().nonnegative().describe('Seconds since the server started'),
  details: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Server-specific: the bus {storage}, a knowledge node {nodeId, storage}, the dashboard {targets}'),
});
export type Health = z.infer<typeof Health>;
