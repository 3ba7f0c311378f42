import { z } from 'zod';
import { Timestamp } from './common.ts';
import { parseCondition } from './condition/parse-condition.ts';

/**
 * Kinds of target a fleet file describes. Each kind has a health-check preset (its path and
 * conditions); `wizard` is an agent instance, `custom` anything else.
 */
export const ServiceKind = z.enum([
  'bus',
  'knowledge',
  'dashboard',
  'deploy-hook',
  'ollama',
  'gitea',
  'conduit',
  'wizard',
  'custom',
]);
export type ServiceKind = z.infer<typeof ServiceKind>;

/**
 * One declarative health condition on a probe's answer, e.g. `[STATUS] == 200`,
 * `[BODY].status == ok`, `[BODY].models.length > 0`, `[RESPONSE_TIME] < 300`.
 */
export const HealthCondition = z
  .string()
  .min(1)
  .max(500)
  .superRefine((condition, context) => {
    // The monitor's own parser is the one definition of the language.
    try {
      parseCondition(condition);
    } catch (error) {
      context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  })
  .describe('Health condition, e.g. [STATUS] == 200');
export type HealthCondition = z.infer<typeof HealthCondition>;

/**
 * The state of a monitored target: `up`; `degraded` (answered, but slow or only after a retry);
 * `down` (after `failureThreshold` failed probes in a row); `unknown` (not probed yet);
 * `deploying` (inside a deploy window: failures do not count as down).
 */
export const TargetState = z.enum(['up', 'degraded', 'down', 'unknown', 'deploying']);
export type TargetState = z.infer<typeof TargetState>;

/** Something the monitor probes: a service or wizard of the fleet file, with its health URL resolved. */
export const MonitorTarget = z.object({
  id: z.string().min(1).max(128).describe('Unique name of the service or wizard'),
  kind: ServiceKind,
  host: z.string().min(1).describe('Name of the host it runs on'),
  url: z.url().describe('The health URL probed (derived from host address, port and path)'),
  intervalMs: z.number().int().min(100).describe('Time between the starts of two probes'),
  timeoutMs: z.number().int().min(10).describe('Probe timeout; at most half the interval'),
  conditions: z.array(HealthCondition).min(1),
  failureThreshold: z.number().int().min(1).default(3).describe('Failed probes in a row before down'),
  successThreshold: z.number().int().min(1).default(2).describe('Good probes in a row to be up again'),
  headers: z.record(z.string(), z.string()).optional().describe('Request headers (secrets resolved; never shown)'),
});
export type MonitorTarget = z.infer<typeof MonitorTarget>;
export type MonitorTargetInput = z.input<typeof MonitorTarget>;

/** The outcome of one probe. */
export const ProbeResult = z.object({
  target: z.string(),
  at: Timestamp,
  ok: z.boolean().describe('Every condition held'),
  status: z.number().int().nullable().describe('HTTP status, null when no answer came'),
  responseTimeMs: z.number().nonnegative(),
  error: z.string().nullable().describe('Why it failed: the first failed condition, a timeout, a refused connection'),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

/** Uptime over the standard windows, as a fraction 0..1 (null when nothing was probed in it). */
export const Uptime = z
  .object({
    '1h': z.number().min(0).max(1).nullable().describe('Over the last hour'),
    '24h': z.number().min(0).max(1).nullable().describe('Over the last 24 hours'),
    '7d': z.number().min(0).max(1).nullable().describe('Over the last 7 days'),
    '30d': z.number().min(0).max(1).nullable().describe('Over the last 30 days'),
  })
  .describe('Good probes over probes made (0 to 1) per window; null when nothing was probed in it');
export type Uptime = z.infer<typeof Uptime>;

/** The current view of one target. */
export const TargetStatus = z.object({
  id: z.string().describe('Name of the service or wizard in the fleet file'),
  kind: ServiceKind.describe('What it is; each kind has a health-check preset (`wizard`: an agent instance)'),
  host: z.string().describe('Name of the host it runs on'),
  url: z.string().describe('The health URL probed'),
  state: TargetState.describe(
    '`up`; `degraded`: slow, or recovering; `down`: failed probes in a row (3 by default); `unknown`: not probed yet, or a gap in monitoring; `deploying`: inside a deploy window',
  ),
  since: Timestamp.nullable().describe('When it entered this state'),
  lastCheckAt: Timestamp.nullable().describe('When it was last probed; null: never'),
  lastResponseTimeMs: z
    .number()
    .nonnegative()
    .nullable()
    .describe('Milliseconds the last probe took; null: never probed'),
  lastError: z
    .string()
    .nullable()
    .describe('Why the last probe failed, e.g. the failed condition; null when it passed'),
  uptime: Uptime,
  latency: z
    .object({
      p50Ms: z.number().nullable().describe('Median response time in milliseconds; null without probes'),
      p95Ms: z.number().nullable().describe('95th percentile response time in milliseconds; null without probes'),
    })
    .describe('Over the last 24 h'),
});
export type TargetStatus = z.infer<typeof TargetStatus>;

/** A state change of a target. */
export const StateTransition = z.object({
  target: z.string().describe('The service or wizard'),
  at: Timestamp.describe('When the state changed'),
  from: TargetState.describe('The state before'),
  to: TargetState.describe('The state after'),
  reason: z.string().nullable().describe('Why, e.g. `3 failed probes in a row: ...`; null when no reason was given'),
});
export type StateTransition = z.infer<typeof StateTransition>;

/** Resolution of a history series: raw probes (kept 48 h), 5-minute buckets (30 days), days (a year). */
export const HistoryResolution = z.enum(['raw', '5m', '1d']);
export type HistoryResolution = z.infer<typeof HistoryResolution>;

/** Probes of one target aggregated over one time bucket (a single probe at `raw` resolution). */
export const HistoryBucket = z.object({
  start: Timestamp.describe('Start of the bucket (at `raw`: when the probe was made)'),
  resolution: HistoryResolution.describe('`raw`: one probe; `5m`: five minutes; `1d`: one day'),
  checks: z.number().int().nonnegative().describe('Probes made in the bucket'),
  ok: z.number().int().nonnegative().describe('Probes whose conditions all held'),
  p50Ms: z.number().nonnegative().nullable().describe('Median response time in milliseconds; null when unknown'),
  p95Ms: z
    .number()
    .nonnegative()
    .nullable()
    .describe('95th percentile response time in milliseconds; null when unknown'),
  maxMs: z.number().nonnegative().nullable().describe('Slowest response time in milliseconds; null when unknown'),
});
export type HistoryBucket = z.infer<typeof HistoryBucket>;

/** `GET /api/services/<id>` of the dashboard: one target with its history. */
export const ServiceDetail = z.object({
  status: TargetStatus.describe('Its current status'),
  history: z.array(HistoryBucket).describe('Oldest first'),
  transitions: z.array(StateTransition).describe('Newest first'),
});
export type ServiceDetail = z.infer<typeof ServiceDetail>;
