import { z } from 'zod';
import { described } from '../schemas/fields.ts';
import { lazyShape } from '../schemas/lazy-shape.ts';
import { listFields } from '../schemas/list.ts';
import { alertMessageFields } from './alert-message-fields.ts';

/**
 * One alert's delivery to one channel, as the outbox records it (`fleet alerts`, the dashboard's
 * alerts page): `pending` (not delivered yet; `error` says why the last attempt failed), `sent`,
 * or `failed` (given up).
 */
export const AlertDelivery = z.object(
  lazyShape(() => ({
    channel: z.string().describe('The channel name in the fleet file'),
    status: z.enum(['pending', 'sent', 'failed']).describe('`pending`, `sent` or `failed` (given up)'),
    attempts: z.int().min(0).describe('Attempts made'),
    error: z.string().nullable().describe('Why the last attempt failed; null when it did not'),
    createdAt: z.iso.datetime().describe('When the alert was queued'),
    finishedAt: z.iso.datetime().nullable().describe('When it was sent or given up; null while pending'),
    // A scheduled report's object stays with the channels: the listing shows its text.
    message: described(
      z.object(lazyShape(alertMessageFields)),
      'The alert as the channel received it (without `report`)',
    ),
  })),
);
export type AlertDelivery = z.infer<typeof AlertDelivery>;

/** `GET /api/alerts` of the dashboard: the newest deliveries, pending first, then sent and failed. */
export const AlertDeliveries = z.object(
  lazyShape(() => ({
    enabled: described(z.boolean(), 'Whether the fleet file has an alerts block (the dashboard sends alerts)'),
    ...listFields('deliveries', AlertDelivery, 'Pending first (newest first), then sent and failed (newest first)'),
  })),
);
export type AlertDeliveries = z.infer<typeof AlertDeliveries>;

/** Query of `GET /api/alerts`. */
export const AlertDeliveriesQuery = z.strictObject(
  lazyShape(() => ({
    limit: described(z.coerce.number().int().min(1).max(1000).optional(), 'How many deliveries; default 50'),
  })),
);
export type AlertDeliveriesQuery = z.infer<typeof AlertDeliveriesQuery>;
