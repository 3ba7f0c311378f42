import { z } from 'zod';
import { Duration, FleetName } from '../fleet/fields.ts';
import { httpUrlWithoutCredentials } from '../schemas/http-url.ts';
import { ChannelSpec } from './channel-spec.ts';
import { cronProblem, isTimeZone } from './internal/report-cron.ts';

/** What a rule alerts on. */
export const AlertEvent = z
  .enum(['down', 'degraded', 'recovered', 'deploy_failed', 'dead_letters', 'sync_lag'])
  .describe('down, degraded, recovered, deploy_failed, dead_letters or sync_lag');
export type AlertEvent = z.infer<typeof AlertEvent>;

const Names = z.array(FleetName).min(1).max(200);

/**
 * A period of at least a second: a zero one would remind on every check, call the heartbeat URL
 * in a busy loop or report on an empty period.
 */
const Period = Duration.refine((ms) => ms >= 1000, 'must be at least 1s');

/**
 * Which targets an alert rule or a silence covers: named targets (services and wizards), every
 * target on the named hosts, or on the hosts of the named host groups. None of them: every target.
 */
const Selectors = {
  /** Service and wizard names. */
  targets: Names.optional(),
  /** Host groups (`hosts.<name>.groups`). */
  groups: Names.optional(),
  /** Host names. */
  hosts: Names.optional(),
};

/**
 * One alert rule: which targets, on which events, to which channels.
 * @example { name: 'wizards', groups: ['gpu'], events: ['down', 'recovered'], channels: ['ops'], remindEvery: '30m' }
 */
export const AlertRule = z.strictObject({
  /** A label shown in messages and problems. */
  name: z.string().min(1).max(100).optional(),
  ...Selectors,
  events: z.array(AlertEvent).min(1),
  /** Channel names (`alerts.channels`). */
  channels: z.array(FleetName).min(1).max(50),
  /** While a target (or host) stays down, remind this often (at least 1s). @default no reminders */
  remindEvery: Period.optional(),
  /** `dead_letters`: alert when an agent's dead letters on a bus exceed this. @default 0 */
  deadLetters: z.int().min(0).optional(),
  /** `sync_lag`: alert when a knowledge node's peer has been behind (not in step with it) for longer than this. @default 5m */
  syncLag: Duration.optional(),
});
export type AlertRule = z.infer<typeof AlertRule>;

/**
 * A silence (maintenance window): no alert for the targets it covers from `from` to `until`.
 * What is still wrong when it ends is alerted then.
 */
export const AlertSilence = z.strictObject({
  ...Selectors,
  from: z.iso.datetime({ offset: true }),
  until: z.iso.datetime({ offset: true }),
  reason: z.string().max(500).optional(),
});
export type AlertSilence = z.infer<typeof AlertSilence>;

/** A dead man's switch: a URL the alerting process calls every `every`, so its death is noticed. */
export const AlertHeartbeatSpec = z.strictObject({
  url: httpUrlWithoutCredentials(
    'must not include credentials (user:password@): use a URL with a secret path or token in it',
  ),
  /** How often the URL is called, at least 1s. @default 1m */
  every: Period.default(60_000),
});
export type AlertHeartbeatSpec = z.infer<typeof AlertHeartbeatSpec>;

const DAY_MS = 86_400_000;
const CRON_HINT = 'a cron expression of five fields, e.g. "0 7 * * *" (07:00 every day)';
const CRON_EXAMPLE = '"0 7 * * *" is 07:00 every day';
const ZONE_HINT = 'an IANA time zone such as Europe/Berlin or UTC';

/**
 * A scheduled fleet report (the "morning report"): when it runs, the period it covers and the
 * channels it goes to. `name` defaults to `report-<index>`.
 * @example { name: 'morning', schedule: '0 7 * * *', timezone: 'Europe/Berlin', since: '24h', channels: ['ops'] }
 */
export const ReportScheduleSpec = z.strictObject({
  /** A label shown in the title, unique among the reports. @default `report-<index>` */
  name: FleetName.optional(),
  /** When it runs: a five-field cron expression (minute hour day month weekday), or `@daily` and such. */
  schedule: z.string({ error: CRON_HINT }).superRefine((pattern, ctx) => {
    const problem = cronProblem(pattern);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${problem} (${CRON_EXAMPLE})` });
  }),
  /** The time zone `schedule` is read in. @default 'UTC' */
  timezone: z.string({ error: ZONE_HINT }).refine(isTimeZone, `unknown time zone (${ZONE_HINT})`).default('UTC'),
  /** The period the report covers, up to when it runs (at least 1s). @default 24h */
  since: Period.default(DAY_MS),
  /** Channel names (`alerts.channels`). */
  channels: z.array(FleetName).min(1).max(50),
});
export type ReportScheduleSpec = z.infer<typeof ReportScheduleSpec>;

/** A report schedule as the fleet file gives it once parsed: its name filled in. */
export type ReportSchedule = ReportScheduleSpec & { name: string };

/** The reports with their names filled in (`report-<index>`); a rule of the fleet file checks they differ. */
const ReportSchedules = z
  .array(ReportScheduleSpec)
  .max(50)
  .transform((reports) => reports.map((report, index) => ({ ...report, name: report.name ?? `report-${index}` })));

/**
 * The `alerts:` block of a fleet file: channels, rules, silences, a heartbeat and scheduled reports.
 * @example
 * ```yaml
 * alerts:
 *   channels:
 *     ops: { type: ntfy, url: https://ntfy.sh, topic: '${NTFY_TOPIC}' }
 *   rules:
 *     - events: [down, recovered]
 *       channels: [ops]
 *       remindEvery: 30m
 *   reports:
 *     - { name: morning, schedule: '0 7 * * *', timezone: Europe/Berlin, channels: [ops] }
 * ```
 */
export const AlertsSpec = z.strictObject({
  /** @default {} */
  channels: z.record(FleetName, ChannelSpec).default({}),
  /** @default [] */
  rules: z.array(AlertRule).default([]),
  /** @default [] */
  silences: z.array(AlertSilence).default([]),
  /**
   * How long a target's `down` waits for the rest of its host: when every target of the host is
   * down by then, one `host_down` alert replaces theirs. Set it to at least the probe interval.
   * @default 1m
   */
  groupWait: Duration.default(60_000),
  heartbeat: AlertHeartbeatSpec.optional(),
  /**
   * The dashboard as operators open it (behind a proxy: its public URL): each alert links to the
   * page of what it is about. @default the fleet file's first `dashboard` service
   */
  dashboardUrl: httpUrlWithoutCredentials(
    'must not include credentials (user:password@): every alert carries this link to its channels',
  ).optional(),
  /** Fleet reports sent on a schedule (see `startReportSchedule`). @default [] */
  reports: ReportSchedules.default([]),
});
export type AlertsSpec = z.infer<typeof AlertsSpec>;
export type AlertsSpecInput = z.input<typeof AlertsSpec>;
