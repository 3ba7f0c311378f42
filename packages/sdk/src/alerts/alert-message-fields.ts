import { z } from 'zod';
import { described } from '../schemas/fields.ts';

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
 * The fields of an {@link AlertMessage} but `report`: what the alerts listing shows
 * (`AlertDelivery.message`), built on first use (the root entry lists alerts, it sends none).
 */
export const alertMessageFields = () => ({
  /** Unique per alert, kept across retries: channels use it to make a resend idempotent. */
  id: described(z.string(), 'Unique per alert, kept across retries'),
  kind: AlertKind,
  severity: AlertSeverity,
  /** One short line, e.g. `[fleet] bus is DOWN on vps1`. */
  title: described(z.string(), 'One short line, e.g. `[fleet] bus is DOWN on vps1`'),
  /** Plain text, several lines: the target(s), host, since when, and why (a report: the whole report). */
  text: described(z.string(), 'Plain text, several lines: targets, host, since when, why; a report: the whole report'),
  /** The monitor targets concerned (several for a host that went down). */
  targets: described(z.array(z.string()), 'The monitor targets concerned'),
  /** The host, when the alert is about one. */
  host: described(z.string().optional(), 'The host, when the alert is about one'),
  /** The fleet's name, for operators who run several. */
  fleet: described(z.string().optional(), "The fleet's name"),
  /** When the alert was raised. */
  at: described(z.iso.datetime(), 'When the alert was raised'),
  /** Where to look, e.g. the dashboard's page of the target. */
  url: described(z.string().optional(), "Where to look: the alert's page on the dashboard"),
});
