import { z } from 'zod';

/** `GET /health`, the same shape on every Fleet server. */
export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  service: z.string(),
  version: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type Health = z.infer<typeof Health>;
