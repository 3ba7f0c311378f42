import { z } from 'zod';
import { AlertMessage } from './alert-message.ts';

/**
 * One alert's delivery to one channel, as the outbox records it (`fleet alerts`, the dashboard's
 * alerts page): `pending` (not delivered yet; `error` says why the last attempt failed), `sent`,
 * or `failed` (given up).
 */
export const AlertDelivery = z.object({
  channel: z.string().describe('The channel name in the fleet file'),
  status: z.enum(['pending', 'sent', 'failed']).describe('`pending`, `sent` or `failed` (given up)'),
  attempts: z.int().min(0).describe('Attempts made'),
  error: z.string().nullable().describe('Why the last attempt failed; null when it did not'),
  createdAt: z.iso.datetime().describe('When the alert was queued'),
  finishedAt: z.iso.datetime().nullable().describe('When it was sent or given up; null while pending'),
  message: AlertMessage,
});
export type AlertDelivery = z.infer<typeof AlertDelivery>;
