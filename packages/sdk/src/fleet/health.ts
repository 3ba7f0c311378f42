import { z } from 'zod';
import { HealthCondition } from '../schemas/monitor.ts';
import { Duration, HealthPath } from './fields.ts';

const Threshold = z
  .number({ error: 'must be a whole number from 1 to 100' })
  .int('must be a whole number from 1 to 100')
  .min(1, 'must be a whole number from 1 to 100')
  .max(100, 'must be a whole number from 1 to 100');

// Bounds keep a typo (`30ms` for `30s`) from turning the monitor into a load generator.
const Interval = Duration.refine((ms) => ms >= 1000 && ms <= 86_400_000, 'must be between 1s and 24h');
const Timeout = Duration.refine((ms) => ms >= 10, 'must be at least 10ms');

/**
 * The `health` block of a service or wizard as written. Every key is optional: the kind's preset
 * fills in the rest. There is no `url` key: the URL is always derived from the host's address,
 * the port and `path`, so it cannot disagree with them.
 */
export const HealthSpec = z.strictObject({
  /** @default the kind's preset, e.g. `/health` */
  path: HealthPath.optional(),
  /** Time between the starts of two probes. @default '30s' */
  interval: Interval.optional(),
  /** Probe timeout, at most half the interval. @default '5s' (or half the interval when shorter) */
  timeout: Timeout.optional(),
  /** Replace the preset's conditions. @example ['[STATUS] == 200', '[BODY].status == ok'] */
  conditions: z.array(HealthCondition).min(1, 'must list at least one condition').optional(),
  /** Failed probes in a row before the target is down. @default 3 */
  failureThreshold: Threshold.optional(),
  /** Good probes in a row before a down target is up again. @default 2 */
  successThreshold: Threshold.optional(),
});
export type HealthSpec = z.infer<typeof HealthSpec>;
export type HealthSpecInput = z.input<typeof HealthSpec>;

/** A health check with the preset applied: everything the monitor needs but the URL's origin. */
export const FleetHealth = z.object({
  path: z.string(),
  intervalMs: z.number().int().positive(),
  timeoutMs: z.number().int().positive(),
  conditions: z.array(HealthCondition).min(1),
  failureThreshold: z.number().int().min(1),
  successThreshold: z.number().int().min(1),
});
export type FleetHealth = z.infer<typeof FleetHealth>;
