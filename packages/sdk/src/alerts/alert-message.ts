import { z } from 'zod';

/**
 * What an alert is about: a target going down, degraded or back up, a reminder that it is still
 * down, a whole host down or back, a failed deploy, dead letters piling up for an agent, knowledge
 * sync falling behind, or a test sent by an operator.
 */
export const AlertKind = z
  .enum([
    'down',
    'degraded',
    'recovered',
    'reminder',
    'host_down',
    'host_recovered',
    'deploy_failed',
    'dead_letters',
    'sync_lag',
    'test',
  ])
  .describe('What the alert is about');
export type AlertKind = z.infer<typeof AlertKind>;

/** How urgent an alert is; channels map it to their own notion (ntfy priority 5, 4, 3). */
export const AlertSeverity = z.enum(['critical', 'warning', 'info']).describe('How urgent the alert is');
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/**
 * One alert as every channel receives it: the engine writes the title and text once, and each
 * channel renders them in its own format. The generic webhook channel posts this object as JSON.
 * @example
 * {
 *   id: '01JBZ3K6V8Q2', kind: 'down', severity: 'critical',
 *   title: '[fleet] bus is DOWN on vps1',
 *   text: 'Target: bus\nHost: vps1\nSince: 2026-12-05T15:58:00Z\nReason: connection refused',
 *   targets: ['bus'], host: 'vps1', at: '2026-12-05T16:00:00.000Z',
 * }
 */
export const AlertMessage = z.object({
  /** Unique per alert, kept across retries: channels use it to make a resend idempotent. */
  id: z.string(),
  kind: AlertKind,
  severity: AlertSeverity,
  /** One short line, e.g. `[fleet] bus is DOWN on vps1`. */
  title: z.string(),
  /** Plain text, several lines: the target(s), host, since when, and why. */
  text: z.string(),
  /** The monitor targets concerned (several for a host that went down). */
  targets: z.array(z.string()),
  host: z.string().optional(),
  /** The fleet's name, for operators who run several. */
  fleet: z.string().optional(),
  /** When the alert was raised. */
  at: z.iso.datetime(),
  /** Where to look, e.g. the dashboard's page of the target. */
  url: z.string().optional(),
});
export type AlertMessage = z.infer<typeof AlertMessage>;
