import { backoffDelay } from '../../internal/backoff.ts';
import type { AlertMessage } from '../alert-message.ts';
import type { AlertChannel } from '../channel-spec.ts';
import type { OutboxStore, PendingRow } from './outbox-store.ts';

/** What a delivery pass needs besides the store and the channels. */
export interface DeliverySettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  now: () => number;
  random: () => number;
  signal: AbortSignal;
  onGiveUp: (row: PendingRow, error: string) => void;
}

/**
 * Longest wait a receiver's `Retry-After` is granted (24 h): it is honoured beyond `maxDelayMs`,
 * which bounds only the backoff, but a bogus one (a date years ahead) must not hold the channel for
 * good.
 */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/** Rows taken per pass of a channel; what is left runs in its next pass. */
const BATCH = 500;

/** A channel error says whether a retry can help; anything else (a bug, a network error) is retried. */
function retryable(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable !== false;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Delivers what is due on one channel, one delivery after another in order, recording each
 * outcome before the next. After a failure that will be retried (a timeout, no connection, a 5xx,
 * a 429), the pass ends and the channel's later deliveries, also those queued meanwhile, wait for
 * that one's retry: sending them first would deliver out of order (a `recovered` before the
 * `down` it ends), and a receiver that is down or asked to wait would only refuse them too, each
 * spending an attempt. A Retry-After holds the channel as long as it asks, up to
 * {@link MAX_RETRY_AFTER_MS}, however short `maxDelayMs`; the refusal counts as one of
 * `maxAttempts`, so a receiver that never stops refusing is given up like any other.
 */
export async function deliverDue(
  store: OutboxStore,
  name: string,
  channel: AlertChannel | undefined,
  settings: DeliverySettings,
): Promise<{ sent: number; retried: number; failed: number }> {
  const counts = { sent: 0, retried: 0, failed: 0 };
  if (!store.open) return counts;
  for (const row of store.due(name, settings.now(), BATCH)) {
    if (settings.signal.aborted || !store.open) break;
    const attempts = row.attempts + 1;
    let error: unknown;
    try {
      if (!channel) throw Object.assign(new Error(`no channel named "${row.channel}"`), { retryable: false });
      await channel.send(JSON.parse(row.message) as AlertMessage, {
        signal: settings.signal,
        timeoutMs: settings.timeoutMs,
      });
    } catch (caught) {
      error = caught;
    }
    // Closed meanwhile: the row stays pending, for the next process.
    if (settings.signal.aborted || !store.open) break;
    const now = settings.now();
    if (error === undefined) {
      store.finish(row, 'sent', attempts, null, now);
      counts.sent += 1;
    } else if (!retryable(error) || attempts >= settings.maxAttempts) {
      store.finish(row, 'failed', attempts, describe(error), now);
      settings.onGiveUp(row, describe(error));
      counts.failed += 1;
    } else {
      // A receiver's Retry-After is a floor, also past maxDelayMs: retrying sooner only earns
      // another refusal. The refusal still counts as an attempt, so one that never ends is given up.
      const asked = (error as { retryAfterMs?: unknown }).retryAfterMs;
      const backoff = backoffDelay(attempts, settings.baseDelayMs, settings.maxDelayMs, settings.random);
      const delay = typeof asked === 'number' ? Math.max(backoff, Math.min(asked, MAX_RETRY_AFTER_MS)) : backoff;
      const nextAt = now + Math.round(delay);
      store.retry(row.id, attempts, nextAt, describe(error));
      counts.retried += 1;
      // The channel's later deliveries wait behind this one (`store.due`): this pass ends here.
      break;
    }
  }
  return counts;
}
