import { z } from 'zod';
import { described, NonNegativeNumber } from './fields.ts';
import { lazyShape } from './lazy-shape.ts';

/** `GET /health`, the same shape on every Fleet server. */
export const Health = z.object(
  lazyShape(() => ({
    status: described(
      z.enum(['ok', 'degraded']),
      "Fleet's servers answer `ok`; when their own check fails they answer 503 `unavailable` instead",
    ),
    service: described(z.string(), 'Which server: `fleet-bus`, `fleet-knowledge` or `fleet-dashboard`'),
    version: described(z.string(), "The server's package version"),
    uptimeSeconds: NonNegativeNumber.describe('Seconds since the server started'),
    details: described(
      z.record(z.string(), z.unknown()).optional(),
      'Server-specific: the bus {storage} (SQLite adds durability, `normal` or `fsync`, read back from the database; PostgreSQL adds database, wakeups, wakeupRowsRead, clockOffsetMs), a knowledge node {nodeId, storage}, the dashboard {targets}',
    ),
  })),
);
export type Health = z.infer<typeof Health>;
