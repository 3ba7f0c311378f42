import { describe, expect, test } from 'vitest';
import { AlertOutbox } from '../../src/alerts/alert-outbox.ts';
import type { ReportSchedule } from '../../src/alerts/alerts-spec.ts';
import { type BuildReport, startReportSchedule } from '../../src/alerts/report-schedule.ts';
import { toIso } from '../../src/internal/iso-time.ts';
import { FleetReport } from '../../src/report/fleet-report.ts';
import { freshDbPath, onCleanup, testClock } from './_alerting.ts';

const DAY = 86_400_000;
const at = (hh: number, mm: number, ss = 0) => Date.UTC(2026, 11, 8, hh, mm, ss);

function schedule(name: string, cron: string): ReportSchedule {
  return { name, schedule: cron, timezone: 'UTC', since: DAY, channels: ['ops'] };
}

/**
 * Schedules on a fresh outbox (not delivering: the queued reports are read back) and a test clock;
 * the builds take `buildTakes` ms each, in the order they are made.
 */
function setup(schedules: ReportSchedule[], buildTakes: number[] = []) {
  const clock = testClock(at(6, 59));
  const outbox = new AlertOutbox({ dbPath: freshDbPath(), channels: {}, now: clock.now });
  onCleanup(() => outbox.close());
  const build: BuildReport = async (periodMs) => {
    const nowMs = clock.ms;
    clock.advance(buildTakes.shift() ?? 0);
    return FleetReport.parse({
      fleet: 'prod',
      generatedAt: toIso(nowMs),
      since: toIso(nowMs - periodMs),
      until: toIso(nowMs),
      targets: [],
      deploys: [],
      bus: [],
      knowledge: [],
      problems: [],
      gaps: [],
    });
  };
  const reports = startReportSchedule({ schedules, outbox, now: clock.now, build });
  onCleanup(() => reports.close());
  /** Each queued report, oldest first: its schedule's name and its first line. */
  const queued = () =>
    outbox
      .recent()
      .reverse()
      .map(({ message }) => ({ name: /report: (\w+)/.exec(message.title)?.[1], first: message.text.split('\n')[0] }));
  /** Each queued report, oldest first, as `<schedule> late` or `<schedule> on time`. */
  const lateness = () =>
    queued().map(({ name, first }) => `${name} ${first?.startsWith('Late:') ? 'late' : 'on time'}`);
  return { clock, reports, queued, lateness };
}

describe('a scheduled report is "Late" only when it was due a minute before its pass started', () => {
  test('two schedules due at once, the first taking 90 s to build: the second is not late', async () => {
    const { clock, reports, lateness } = setup([schedule('a', '0 7 * * *'), schedule('b', '0 7 * * *')], [90_000]);
    clock.ms = at(7, 0);
    expect(await reports.runDue()).toBe(2);
    expect(lateness()).toEqual(['a on time', 'b on time']);
  });

  test('a schedule that comes due while another builds is sent in the same pass, not late', async () => {
    const { clock, reports, lateness } = setup([schedule('x', '1 7 * * *'), schedule('a', '0 7 * * *')], [180_000]);
    clock.ms = at(7, 0);
    // What the timer does: a pass now, and one more right after (its next run is already due).
    const queued = (await reports.runDue()) + (await reports.runDue());
    expect(queued).toBe(2);
    expect(lateness()).toEqual(['a on time', 'x on time']);
  });

  test('a pass that starts more than a minute after the run was due (the process asleep) still says so', async () => {
    const { clock, reports, queued } = setup([schedule('a', '0 7 * * *')]);
    clock.ms = at(7, 5);
    expect(await reports.runDue()).toBe(1);
    expect(queued().map(({ first }) => first)).toEqual([
      'Late: this report was due at 2026-12-08 07:00 UTC (2026-12-08T07:00:00.000Z); the process that sends it was not running then.',
    ]);
  });
});
