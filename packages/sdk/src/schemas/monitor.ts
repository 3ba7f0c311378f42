import { z } from 'zod';
import { Timestamp } from './common.ts';
import { parseCondition } from './condition/parse-condition.ts';
import { described, NonNegativeInt, NonNegativeNumber } from './fields.ts';
import { httpUrlWithoutCredentials } from './http-url.ts';
import { lazyShape } from './lazy-shape.ts';

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
export const HealthCondition = described(
  z.string().check(
    z.minLength(1),
    z.maxLength(500),
    z.superRefine((condition, context) => {
      // The monitor's own parser is the one definition of the language.
      try {
        parseCondition(condition);
      } catch (error) {
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
    }),
  ),
  'Health condition, e.g. [STATUS] == 200',
);
export type HealthCondition = z.infer<typeof HealthCondition>;

/**
 * The state of a monitored target: `up`; `degraded` (answered, but slow or only after a retry);
 * `down` (after `failureThreshold` failed probes in a row); `unknown` (not probed yet);
 * `deploying` (inside a deploy window: failures do not count as down).
 */
export const TargetState = z.enum(['up', 'degraded', 'down', 'unknown', 'deploying']);
export type TargetState = z.infer<typeof TargetState>;

const URL_CREDENTIALS_HINT =
  "must not include credentials (user:password@); pass them in the target's headers (e.g. an Authorization token) instead";

/**
 * Something the monitor probes: a service or wizard of the fleet file, with its health URL
 * resolved. The URL is http or https and has no user info: a token goes in `headers`.
 */
export const MonitorTarget = z.object(
  lazyShape(() => ({
    id: described(z.string().check(z.minLength(1), z.maxLength(128)), 'Unique name of the service or wizard'),
    kind: ServiceKind,
    host: described(z.string().min(1), 'Name of the host it runs on'),
    url: described(
      httpUrlWithoutCredentials(URL_CREDENTIALS_HINT),
      'The health URL probed (derived from host address, port and path); http or https, without credentials',
    ),
    intervalMs: described(z.int().min(100), 'Time between the starts of two probes'),
    timeoutMs: described(z.int().min(10), 'Probe timeout; at most half the interval'),
    conditions: z.array(HealthCondition).min(1),
    failureThreshold: described(z.int().min(1).default(3), 'Failed probes in a row before down'),
    successThreshold: described(z.int().min(1).default(2), 'Good probes in a row to be up again'),
    headers: described(z.record(z.string(), z.string()).optional(), 'Request headers (secrets resolved; never shown)'),
  })),
);
export type MonitorTarget = z.infer<typeof MonitorTarget>;
export type MonitorTargetInput = z.input<typeof MonitorTarget>;

/** The outcome of one probe. */
export const ProbeResult = z.object(
  lazyShape(() => ({
    target: z.string(),
    at: Timestamp,
    ok: described(z.boolean(), 'Every condition held'),
    status: described(z.int().nullable(), 'HTTP status, null when no answer came'),
    responseTimeMs: NonNegativeNumber,
    error: described(
      z.string().nullable(),
      'Why it failed: the first failed condition, a timeout, a refused connection',
    ),
  })),
);
export type ProbeResult = z.infer<typeof ProbeResult>;

/** The uptime over one window: a fraction 0..1, null when nothing was probed in it. */
const fraction = (description: string) => described(z.number().check(z.gte(0), z.lte(1)).nullable(), description);

/** Uptime over the standard windows, as a fraction 0..1 (null when nothing was probed in it). */
export const Uptime = described(
  z.object(
    lazyShape(() => ({
      '1h': fraction('Over the last hour'),
      '24h': fraction('Over the last 24 hours'),
      '7d': fraction('Over the last 7 days'),
      '30d': fraction('Over the last 30 days'),
    })),
  ),
  'Good probes over probes made (0 to 1) per window; null when nothing was probed in it',
);
export type Uptime = z.infer<typeof Uptime>;

/** The current view of one target. */
export const TargetStatus = z.object(
  lazyShape(() => ({
    id: described(z.string(), 'Name of the service or wizard in the fleet file'),
    kind: ServiceKind.describe('What it is; each kind has a health-check preset (`wizard`: an agent instance)'),
    host: described(z.string(), 'Name of the host it runs on'),
    url: described(z.string(), 'The health URL probed'),
    state: TargetState.describe(
      '`up`; `degraded`: slow, or recovering; `down`: failed probes in a row (3 by default); `unknown`: not probed yet, or a gap in monitoring; `deploying`: inside a deploy window',
    ),
    since: described(Timestamp.nullable(), 'When it entered this state'),
    lastCheckAt: described(Timestamp.nullable(), 'When it was last probed; null: never'),
    lastResponseTimeMs: described(
      NonNegativeNumber.nullable(),
      'Milliseconds the last probe took to get its answer; null: never probed, or no answer came (refused, timed out: see lastError)',
    ),
    lastError: described(
      z.string().nullable(),
      'Why the last probe failed, e.g. the failed condition; null when it passed',
    ),
    uptime: Uptime,
    latency: described(
      z.object({
        p50Ms: described(z.number().nullable(), 'Median response time in milliseconds; null without such probes'),
        p95Ms: described(
          z.number().nullable(),
          '95th percentile response time in milliseconds; null without such probes',
        ),
      }),
      'Over the last 24 h, of the probes answered correctly but for response time (slow answers count; refused, timed out or wrong answers do not)',
    ),
  })),
);
export type TargetStatus = z.infer<typeof TargetStatus>;

/** A state change of a target. */
export const StateTransition = z.object(
  lazyShape(() => ({
    target: described(z.string(), 'The service or wizard'),
    at: Timestamp.describe('When the state changed'),
    from: TargetState.describe('The state before'),
    to: TargetState.describe('The state after'),
    reason: described(
      z.string().nullable(),
      'Why, e.g. `3 failed probes in a row: ...`; null when no reason was given',
    ),
  })),
);
export type StateTransition = z.infer<typeof StateTransition>;

/** Resolution of a history series: raw probes (kept 48 h), 5-minute buckets (30 days), days (a year). */
export const HistoryResolution = z.enum(['raw', '5m', '1d']);
export type HistoryResolution = z.infer<typeof HistoryResolution>;

/** Probes of one target aggregated over one time bucket (a single probe at `raw` resolution). */
export const HistoryBucket = z.object(
  lazyShape(() => ({
    start: Timestamp.describe('Start of the bucket (at `raw`: when the probe was made)'),
    resolution: HistoryResolution.describe('`raw`: one probe; `5m`: five minutes; `1d`: one day'),
    checks: NonNegativeInt.describe('Probes made in the bucket'),
    ok: NonNegativeInt.describe('Probes whose conditions all held'),
    p50Ms: described(
      NonNegativeNumber.nullable(),
      'Median response time in milliseconds, of the probes answered correctly but for response time (slow answers count; refused, timed out or wrong answers do not); null when none was',
    ),
    p95Ms: described(
      NonNegativeNumber.nullable(),
      '95th percentile response time in milliseconds, of the same probes as p50Ms; null when none was',
    ),
    maxMs: described(
      NonNegativeNumber.nullable(),
      'Slowest response time in milliseconds, of the same probes; null when none was',
    ),
  })),
);
export type HistoryBucket = z.infer<typeof HistoryBucket>;

/** `GET /api/services/<id>` of the dashboard: one target with its history. */
export const ServiceDetail = z.object(
  lazyShape(() => ({
    status: TargetStatus.describe('Its current status'),
    history: described(z.array(HistoryBucket), 'Oldest first'),
    transitions: described(
      z.array(StateTransition),
      "Newest first: every state change from the range's start on (at most 1000) and the one before it, or the latest 50 when that is fewer",
    ),
  })),
);
export type ServiceDetail = z.infer<typeof ServiceDetail>;
