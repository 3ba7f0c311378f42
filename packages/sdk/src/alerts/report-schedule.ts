import type { FleetReport } from '../report/fleet-report.ts';
import { formatFleetReport } from '../report/format-report.ts';
import type { AlertMessage } from './alert-message.ts';
import type { AlertOutbox } from './alert-outbox.ts';
import type { ReportSchedule } from './alerts-spec.ts';
import { type ReportCron, reportCron } from './internal/report-cron.ts';
import { reportMessage } from './internal/report-message.ts';

/** Builds the fleet report over the last `periodMs` (e.g. `buildFleetReport(sources, { periodMs, signal })`). */
export type BuildReport = (periodMs: number, signal: AbortSignal) => Promise<FleetReport>;

/** Options of {@link startReportSchedule}. */
export interface StartReportScheduleOptions {
  /** The fleet file's `alerts.reports`. */
  schedules: readonly ReportSchedule[];
  /** Builds a report; a source it cannot read is a gap in the report, a throw skips that run. */
  build: BuildReport;
  /** Where reports are queued (delivered at least once) and their next runs are kept. */
  outbox: AlertOutbox;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
  /** The fleet's name, in every title. */
  fleet?: string;
  /** Hears of reports that could not be built. */
  logger?: Pick<Console, 'warn'>;
}

/** Scheduled reports as started by {@link startReportSchedule}. */
export interface ReportScheduler {
  /**
   * Sends every report whose run is due now (what the timer does; call it directly with a test
   * clock) and resolves with how many were queued. Passes never overlap.
   */
  runDue(): Promise<number>;
  /** Builds the report `name` now and queues it to its channels, outside its schedule. */
  send(name: string): Promise<AlertMessage>;
  /** When each report runs next (ISO time; null: never again). */
  nextRuns(): Array<{ name: string; at: string | null }>;
  /** Stops the timer and aborts a report being built (a run not queued yet runs on the next start). */
  close(): void;
}

/**
 * A run whose pass started this long after it was due is sent as late: the process was not
 * running (or was asleep) then. Waiting for the other reports of its pass does not count.
 */
const LATE_AFTER_MS = 60_000;
/** Longest single wait: setTimeout's limit is about 24.8 days; a longer wait sleeps in steps. */
const MAX_WAIT_MS = 86_400_000;

interface Entry {
  spec: ReportSchedule;
  cron: ReportCron;
  /** What the stored next run was computed from. */
  key: string;
  nextAt: number | null;
}

/**
 * Sends the fleet report on the schedules of `alerts.reports`: at each run the report over the
 * schedule's period is built, rendered as text and queued as one `report` alert to the schedule's
 * channels through the outbox (durable, at least once, retried). The next run of each schedule is
 * kept in the outbox's file: a run missed while the process was down is sent once when it starts
 * again (saying it is late), however many were missed, then the schedule resumes. Only a run due a
 * minute or more before its pass started is late: reports due together are built one after
 * another, and one that comes due meanwhile joins the same pass. Its timer is
 * unref'd; croner only computes the runs.
 *
 * @example
 * const reports = startReportSchedule({
 *   schedules: fleet.alerts.reports,
 *   build: (periodMs, signal) => buildFleetReport(sources, { periodMs, signal }),
 *   outbox,
 * });
 * reports.close();
 */
export function startReportSchedule(options: StartReportScheduleOptions): ReportScheduler {
  const { outbox, build, logger } = options;
  const now = options.now ?? Date.now;
  const memory = outbox.reportRuns();
  const stored = new Map(memory.load().map((run) => [run.name, run]));
  const abort = new AbortController();
  const entries: Entry[] = options.schedules.map((spec) => {
    const key = JSON.stringify([spec.schedule, spec.timezone]);
    const cron = reportCron(spec.schedule, spec.timezone);
    const previous = stored.get(spec.name);
    // A stored run of the same schedule stands, passed or not; an edited schedule starts afresh.
    const nextAt = previous?.schedule === key ? previous.nextAt : cron.next(now());
    if (nextAt !== null && previous?.nextAt !== nextAt) memory.save({ name: spec.name, schedule: key, nextAt });
    return { spec, cron, key, nextAt };
  });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let closed = false;

  const message = async (spec: ReportSchedule, id: string, late?: { dueAtMs: number }) => {
    const report = await build(spec.since, abort.signal);
    return reportMessage({
      name: spec.name,
      periodMs: spec.since,
      report,
      text: formatFleetReport(report, 'text'),
      fleet: options.fleet,
      nowMs: now(),
      id,
      ...(late === undefined ? {} : { late: { dueAtMs: late.dueAtMs, timezone: spec.timezone } }),
    });
  };

  const dueEntry = () => entries.find((entry) => entry.nextAt !== null && entry.nextAt <= now());

  // Runs every entry that is due, also those that come due while others build, until none is.
  // Lateness is judged against when the pass started, not when each entry's turn came: a report
  // that waited for the reports built before it was not missed, the process was running.
  const pass = async (): Promise<number> => {
    const startedAt = now();
    let queued = 0;
    for (let entry = dueEntry(); entry !== undefined && !closed; entry = dueEntry()) {
      const dueAt = entry.nextAt ?? startedAt;
      const late = startedAt - dueAt >= LATE_AFTER_MS ? { dueAtMs: dueAt } : undefined;
      try {
        const built = await message(entry.spec, `report-${entry.spec.name}-${dueAt}`, late);
        if (closed) break;
        outbox.enqueue(built, entry.spec.channels);
        queued += 1;
      } catch (error) {
        if (closed) break;
        logger?.warn(
          `fleet alerts: report "${entry.spec.name}" could not be built; next try at its next run: ${(error as Error).message}`,
        );
      }
      // Queued (or given up) first, then the next run stored: a crash in between sends it twice,
      // never not at all. The next run is after now, so missed runs are not made up one by one.
      entry.nextAt = entry.cron.next(Math.max(now(), dueAt));
      if (entry.nextAt !== null) memory.save({ name: entry.spec.name, schedule: entry.key, nextAt: entry.nextAt });
    }
    return queued;
  };

  const arm = () => {
    clearTimeout(timer);
    if (closed) return;
    const next = Math.min(...entries.map((entry) => entry.nextAt ?? Number.POSITIVE_INFINITY));
    if (next === Number.POSITIVE_INFINITY) return;
    timer = setTimeout(
      () => {
        runDue().catch((error: unknown) => logger?.warn('fleet alerts: a report pass failed:', error));
      },
      Math.min(Math.max(0, next - now()), MAX_WAIT_MS),
    );
    timer.unref();
  };

  const runDue = async (): Promise<number> => {
    while (running) await running;
    if (closed) return 0;
    running = pass();
    try {
      return await running;
    } finally {
      running = null;
      arm();
    }
  };

  arm();
  return {
    runDue,
    send: async (name) => {
      const entry = entries.find((candidate) => candidate.spec.name === name);
      if (!entry) {
        const names = entries.map((candidate) => candidate.spec.name).join(', ') || 'none';
        throw new Error(`no report named "${name}" (alerts.reports: ${names})`);
      }
      const built = await message(entry.spec, crypto.randomUUID());
      if (closed) throw new Error('the report schedule is closed');
      outbox.enqueue(built, entry.spec.channels);
      return built;
    },
    nextRuns: () =>
      entries.map((entry) => ({
        name: entry.spec.name,
        at: entry.nextAt === null ? null : new Date(entry.nextAt).toISOString(),
      })),
    close: () => {
      closed = true;
      clearTimeout(timer);
      abort.abort();
    },
  };
}
