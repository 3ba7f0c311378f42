import { z } from 'zod';
import { FleetReport } from '../report/fleet-report.ts';

/**
 * What an alert is about: a target going down, degraded or back up, a reminder that it is still
 * down, a whole host down or back, a failed deploy, dead letters piling up for an agent, knowledge
 * sync falling behind, a test sent by an operator, or a scheduled fleet report.
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
    'report',
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
  id: z.string().describe('Unique per alert, kept across retries'),
  kind: AlertKind,
  severity: AlertSeverity,
  /** One short line, e.g. `[fleet] bus is DOWN on vps1`. */
  title: z.string().describe('One short line, e.g. `[fleet] bus is DOWN on vps1`'),
  /** Plain text, several lines: the target(s), host, since when, and why (a report: the whole report). */
  text: z.string().describe('Plain text, several lines: targets, host, since when, why; a report: the whole report'),
  /** The monitor targets concerned (several for a host that went down). */
  targets: z.array(z.string()).describe('The monitor targets concerned'),
  /** The host, when the alert is about one. */
  host: z.string().optional().describe('The host, when the alert is about one'),
  /** The fleet's name, for operators who run several. */
  fleet: z.string().optional().describe("The fleet's name"),
  /** When the alert was raised. */
  at: z.iso.datetime().describe('When the alert was raised'),
  /** Where to look, e.g. the dashboard's page of the target. */
  url: z.string().optional().describe('Where to look'),
  /** Kind `report`: the fleet report itself, for receivers that read it as data (the webhook channel). */
  report: FleetReport.optional().describe('Kind `report`: the fleet report the text renders'),
});
export type AlertMessage = z.infer<typeof AlertMessage>;
