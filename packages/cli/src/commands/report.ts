import { output, printJson, strictArgs, UsageError } from '@fleet/sdk/cli';
import {
  buildFleetReport,
  DEFAULT_REPORT_PERIOD_MS,
  Duration,
  dashboardReportSource,
  type FleetReportSources,
  fleetReportServices,
  formatFleetReport,
  ReportFormat,
  type ReportMonitorSource,
} from '@fleet/sdk/fleet';
import { defineCommand } from 'citty';
import { fleetFileDashboard, fleetFileDashboardArgs, readCommandFleetFile } from '../fleet-file-dashboard.ts';

/**
 * The longest `--since`: 365 days. The dashboard keeps daily uptime and state transitions for a
 * year (the monitor's history retention), so a longer period reads nothing more; it also keeps the
 * start of the period a valid date, which a period of millions of days is not.
 */
const MAX_REPORT_DAYS = 365;

/** How long the report waits for the dashboard: a missing source is a gap, not a long wait. */
const REPORT_TIMEOUT_MS = 10_000;

/** `--since`: a positive duration (`30m`, `24h`, `7d`) of at most {@link MAX_REPORT_DAYS} days, in ms. */
function periodArg(value: string | undefined): number {
  if (value === undefined) return DEFAULT_REPORT_PERIOD_MS;
  const parsed = Duration.safeParse(value.trim());
  if (!parsed.success || parsed.data <= 0) {
    throw new UsageError(`--since must be a duration such as 30m, 24h or 7d, got "${value}"`);
  }
  if (parsed.data > MAX_REPORT_DAYS * 86_400_000) {
    throw new UsageError(
      `--since must be at most ${MAX_REPORT_DAYS}d (the dashboard keeps a year of history), got "${value}"`,
    );
  }
  return parsed.data;
}

/** `--format`, or `json` for `--json`. */
function formatArg(value: string | undefined, json: boolean): ReportFormat {
  if (json && value !== undefined && value !== 'json') throw new UsageError(`--json and --format ${value} disagree`);
  const parsed = ReportFormat.safeParse(value ?? (json ? 'json' : 'text'));
  if (!parsed.success) throw new UsageError(`--format must be text, markdown or json, got "${value}"`);
  return parsed.data;
}

/**
 * `fleet report`: the fleet over a period (uptime and incidents per target, deploys, bus traffic
 * per agent, knowledge sync, the fleet file's problems), from the dashboard's API and the bus and
 * knowledge services of the fleet file. Sources that cannot be read are gaps in the report (exit
 * 0); exits 1 only when neither the dashboard nor a fleet file could be read.
 */
export const reportCommand = defineCommand({
  meta: { name: 'report', description: 'Uptime, incidents, deploys, bus traffic and sync over a period' },
  plugins: [strictArgs],
  args: {
    since: {
      type: 'string',
      description: 'How far back the report looks, at most 365d (default 24h)',
      valueHint: '24h|7d',
    },
    format: { type: 'string', description: 'text, markdown or json (default text)', valueHint: 'text|markdown|json' },
    ...fleetFileDashboardArgs,
    json: { type: 'boolean', description: 'Same as --format json', default: false },
  },
  async run({ args }) {
    const periodMs = periodArg(args.since);
    const format = formatArg(args.format, args.json);
    const file = await readCommandFleetFile(args.config);
    const dashboard = fleetFileDashboard(args, file?.fleet, REPORT_TIMEOUT_MS);
    const source = dashboardReportSource(dashboard);
    let dashboardRead = false;
    const monitor: ReportMonitorSource = {
      ...source,
      status: async (signal) => {
        const status = await source.status(signal);
        dashboardRead = true;
        return status;
      },
    };
    const fleet = file?.fleet;
    const sources: FleetReportSources = {
      monitor,
      ...(fleet === undefined ? {} : fleetReportServices(fleet)),
      ...(file === undefined ? {} : { problems: file.problems }),
      ...(fleet?.name === undefined ? {} : { fleet: fleet.name }),
    };
    const report = await buildFleetReport(sources, { periodMs });
    if (!dashboardRead && file === undefined) {
      const why = report.gaps.find((gap) => gap.source === 'monitor')?.error ?? 'not read';
      throw new Error(
        `nothing to report: no fleet file here and the dashboard at ${dashboard.url} could not be read (${why})`,
      );
    }
    if (format === 'json') return printJson(report);
    output.log(formatFleetReport(report, format));
  },
});
