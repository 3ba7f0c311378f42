import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import type { AlertMessage } from '../../src/alerts/alert-message.ts';
import { AlertOutbox } from '../../src/alerts/alert-outbox.ts';
import type { ReportSchedule } from '../../src/alerts/alerts-spec.ts';
import { ChannelSpec, createChannel } from '../../src/alerts/channel-spec.ts';
import { startReportSchedule } from '../../src/alerts/report-schedule.ts';
import { startAlerting } from '../../src/alerts/start-alerting.ts';
import { toIso } from '../../src/internal/iso-time.ts';
import { FleetReport } from '../../src/report/fleet-report.ts';
import { formatFleetReport } from '../../src/report/format-report.ts';
import { openMonitor, startTarget, targetFor } from '../monitor/_monitor.ts';
import { alertsSpec, freshDbPath, onCleanup, testClock } from './_alerting.ts';
import { type HttpReceiver, startHttpReceiver } from './_receivers.ts';

const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
const DAY = 86_400_000;
const MORNING: ReportSchedule = {
  name: 'morning',
  schedule: '0 7 * * *',
  timezone: 'Europe/Berlin',
  since: DAY,
  channels: ['ops'],
};

/** The report a build makes at `nowMs` over `periodMs`: one target, so the text and object are checkable. */
function reportAt(nowMs: number, periodMs: number): FleetReport {
  return FleetReport.parse({
    fleet: 'prod',
    generatedAt: toIso(nowMs),
    since: toIso(nowMs - periodMs),
    until: toIso(nowMs),
    targets: [
      {
        id: 'bus',
        kind: 'bus',
        host: 'vps1',
        state: 'up',
        uptime: 1,
        checks: 8640,
        downMs: 0,
        degradedMs: 0,
        incidents: [],
        partial: false,
      },
    ],
    deploys: [],
    bus: [],
    knowledge: [],
    problems: [],
    gaps: [],
  });
}

async function receiverAndOutbox(dbPath: string, now: () => number) {
  const receiver = await startHttpReceiver();
  onCleanup(() => receiver.close());
  return { receiver, outbox: openOutbox(dbPath, now, receiver) };
}

/** An outbox on `dbPath` with a `webhook` channel `ops` to the receiver (not started: the test delivers). */
function openOutbox(dbPath: string, now: () => number, receiver: HttpReceiver): AlertOutbox {
  const ops = createChannel('ops', ChannelSpec.parse({ type: 'webhook', url: `${receiver.url}/hook` }));
  const outbox = new AlertOutbox({ dbPath, channels: { ops }, now });
  onCleanup(() => outbox.close());
  return outbox;
}

function received(receiver: HttpReceiver): AlertMessage[] {
  return receiver.requests.map((request) => JSON.parse(request.body) as AlertMessage);
}

describe('startReportSchedule', () => {
  test('a daily 07:00 Europe/Berlin report is sent once at 06:00Z in winter, with its text and report object', async () => {
    const clock = testClock(Date.parse('2026-12-05T05:00:00Z'));
    const { receiver, outbox } = await receiverAndOutbox(freshDbPath(), clock.now);
    const periods: number[] = [];
    const reports = startReportSchedule({
      schedules: [MORNING],
      build: async (periodMs) => {
        periods.push(periodMs);
        return reportAt(clock.now(), periodMs);
      },
      outbox,
      now: clock.now,
      fleet: 'prod',
    });
    onCleanup(() => reports.close());
    expect(reports.nextRuns()).toEqual([{ name: 'morning', at: '2026-12-05T06:00:00.000Z' }]);

    clock.ms = Date.parse('2026-12-05T05:59:59.999Z');
    expect(await reports.runDue()).toBe(0);
    clock.ms = Date.parse('2026-12-05T06:00:00.000Z');
    expect(await reports.runDue()).toBe(1);
    expect(await reports.runDue()).toBe(0);
    await outbox.deliverDue();

    const [message, ...rest] = received(receiver);
    expect(rest).toEqual([]);
    const report = reportAt(Date.parse('2026-12-05T06:00:00Z'), DAY);
    expect(message).toMatchObject({
      kind: 'report',
      severity: 'info',
      title: '[prod] Fleet report: morning, last 1d',
      text: formatFleetReport(report, 'text'),
      targets: ['bus'],
      fleet: 'prod',
      at: '2026-12-05T06:00:00.000Z',
    });
    expect(message?.report).toEqual(report);
    expect(periods).toEqual([DAY]);
    expect(receiver.requests[0]?.url).toBe('/hook');
    expect(reports.nextRuns()).toEqual([{ name: 'morning', at: '2026-12-06T06:00:00.000Z' }]);

    // Months later (the runs in between missed: one late report), then in summer 07:00 is 05:00Z.
    clock.ms = Date.parse('2027-07-01T04:00:00Z');
    expect(await reports.runDue()).toBe(1);
    expect(reports.nextRuns()).toEqual([{ name: 'morning', at: '2027-07-01T05:00:00.000Z' }]);
    clock.ms = Date.parse('2027-07-01T05:00:00Z');
    expect(await reports.runDue()).toBe(1);
    expect(reports.nextRuns()).toEqual([{ name: 'morning', at: '2027-07-02T05:00:00.000Z' }]);
  });

  test('after a restart that missed three runs, one late report is sent, then the schedule resumes', async () => {
    const dbPath = freshDbPath();
    const clock = testClock(Date.parse('2026-12-05T05:00:00Z'));
    const build = async (periodMs: number) => reportAt(clock.now(), periodMs);
    const first = await receiverAndOutbox(dbPath, clock.now);
    const before = startReportSchedule({ schedules: [MORNING], build, outbox: first.outbox, now: clock.now });
    before.close();
    first.outbox.close();

    // Down from 06:00Z on the 5th to 09:00Z on the 7th: the runs of the 5th, 6th and 7th were missed.
    clock.ms = Date.parse('2026-12-07T09:00:00Z');
    const outbox = openOutbox(dbPath, clock.now, first.receiver);
    const reports = startReportSchedule({ schedules: [MORNING], build, outbox, now: clock.now });
    onCleanup(() => reports.close());
    await reports.runDue();
    await reports.runDue();
    await outbox.deliverDue();
    const [late, ...rest] = received(first.receiver);
    expect(rest).toEqual([]);
    expect(late?.text.split('\n')[0]).toBe(
      'Late: this report was due at 2026-12-05 07:00 Europe/Berlin (2026-12-05T06:00:00.000Z); the process that sends it was not running then.',
    );
    expect(late?.report?.until).toBe('2026-12-07T09:00:00.000Z');
    expect(reports.nextRuns()).toEqual([{ name: 'morning', at: '2026-12-08T06:00:00.000Z' }]);

    clock.ms = Date.parse('2026-12-08T06:00:00Z');
    expect(await reports.runDue()).toBe(1);
    await outbox.deliverDue();
    expect(received(first.receiver).map((message) => message.text.startsWith('Late:'))).toEqual([true, false]);
  });

  test('started after a missed run, its own timer sends the late report once, with no call to runDue', async () => {
    const dbPath = freshDbPath();
    const clock = testClock(Date.parse('2026-12-05T05:00:00Z'));
    const build = async (periodMs: number) => reportAt(clock.now(), periodMs);
    const { receiver, outbox: first } = await receiverAndOutbox(dbPath, clock.now);
    startReportSchedule({ schedules: [MORNING], build, outbox: first, now: clock.now }).close();
    first.close();

    clock.ms = Date.parse('2026-12-05T08:00:00Z');
    const outbox = openOutbox(dbPath, clock.now, receiver);
    outbox.start();
    const reports = startReportSchedule({ schedules: [MORNING], build, outbox, now: clock.now });
    onCleanup(() => reports.close());
    while (receiver.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await reports.runDue()).toBe(0);
    expect(received(receiver).map((message) => message.text.split('\n')[0]?.slice(0, 5))).toEqual(['Late:']);
    expect(reports.nextRuns()).toEqual([{ name: 'morning', at: '2026-12-06T06:00:00.000Z' }]);
  });

  test('an edited schedule starts afresh instead of catching up the old one', async () => {
    const dbPath = freshDbPath();
    const clock = testClock(Date.parse('2026-12-05T05:00:00Z'));
    const build = async (periodMs: number) => reportAt(clock.now(), periodMs);
    const { receiver, outbox: first } = await receiverAndOutbox(dbPath, clock.now);
    startReportSchedule({ schedules: [MORNING], build, outbox: first, now: clock.now }).close();
    first.close();

    clock.ms = Date.parse('2026-12-07T09:00:00Z');
    const outbox = openOutbox(dbPath, clock.now, receiver);
    const reports = startReportSchedule({
      schedules: [{ ...MORNING, schedule: '0 12 * * *' }],
      build,
      outbox,
      now: clock.now,
    });
    onCleanup(() => reports.close());
    expect(await reports.runDue()).toBe(0);
    expect(reports.nextRuns()).toEqual([{ name: 'morning', at: '2026-12-07T11:00:00.000Z' }]);
  });

  test('a build that throws sends nothing, is logged without the error’s stack, and the next run is tried', async () => {
    const clock = testClock(Date.parse('2026-12-05T05:00:00Z'));
    const { receiver, outbox } = await receiverAndOutbox(freshDbPath(), clock.now);
    const warnings: string[] = [];
    let fail = true;
    const reports = startReportSchedule({
      schedules: [MORNING],
      build: async (periodMs) => {
        if (fail) throw new Error('the monitor is closed');
        return reportAt(clock.now(), periodMs);
      },
      outbox,
      now: clock.now,
      logger: { warn: (...args: unknown[]) => warnings.push(args.join(' ')) },
    });
    onCleanup(() => reports.close());
    clock.ms = Date.parse('2026-12-05T06:00:00Z');
    expect(await reports.runDue()).toBe(0);
    expect(warnings).toEqual([
      'fleet alerts: report "morning" could not be built; next try at its next run: the monitor is closed',
    ]);
    expect(reports.nextRuns()).toEqual([{ name: 'morning', at: '2026-12-06T06:00:00.000Z' }]);
    fail = false;
    clock.ms = Date.parse('2026-12-06T06:00:00Z');
    expect(await reports.runDue()).toBe(1);
    await outbox.deliverDue();
    expect(received(receiver).map((message) => message.at)).toEqual(['2026-12-06T06:00:00.000Z']);
  });

  test('close stops it: a run that comes due afterwards is not sent', async () => {
    const clock = testClock(Date.parse('2026-12-05T05:00:00Z'));
    const { receiver, outbox } = await receiverAndOutbox(freshDbPath(), clock.now);
    const reports = startReportSchedule({
      schedules: [MORNING],
      build: async (periodMs) => reportAt(clock.now(), periodMs),
      outbox,
      now: clock.now,
    });
    reports.close();
    clock.ms = Date.parse('2026-12-05T06:00:00Z');
    expect(await reports.runDue()).toBe(0);
    await outbox.deliverDue();
    expect(receiver.requests).toEqual([]);
    expect(outbox.recent()).toEqual([]);
  });

  test('send builds and queues a report now, outside the schedule; an unknown name is refused', async () => {
    const clock = testClock(Date.parse('2026-12-05T10:00:00Z'));
    const { receiver, outbox } = await receiverAndOutbox(freshDbPath(), clock.now);
    const reports = startReportSchedule({
      schedules: [{ ...MORNING, since: 7 * DAY }],
      build: async (periodMs) => reportAt(clock.now(), periodMs),
      outbox,
      now: clock.now,
    });
    onCleanup(() => reports.close());
    const sent = await reports.send('morning');
    expect(sent.title).toBe('[fleet] Fleet report: morning, last 7d');
    await expect(reports.send('evening')).rejects.toThrow('no report named "evening" (alerts.reports: morning)');
    await outbox.deliverDue();
    expect(received(receiver).map((message) => message.id)).toEqual([sent.id]);
    expect(reports.nextRuns()).toEqual([{ name: 'morning', at: '2026-12-06T06:00:00.000Z' }]);
  });
});

describe('the outbox file', () => {
  test('a file of the version before report runs opens with its pending alerts, and then keeps report runs', async () => {
    const dbPath = freshDbPath();
    const clock = testClock(Date.parse('2026-12-05T05:00:00Z'));
    const { receiver, outbox: old } = await receiverAndOutbox(dbPath, clock.now);
    old.enqueue(
      { id: 'a1', kind: 'test', severity: 'info', title: 't', text: 'x', targets: [], at: toIso(clock.now()) },
      ['ops'],
    );
    old.close();
    // What a file written before version 4 looks like.
    const db = new Driver(dbPath);
    db.exec('DROP TABLE report_runs');
    db.pragma('user_version = 3');
    db.close();

    const outbox = openOutbox(dbPath, clock.now, receiver);
    expect(outbox.recent().map((delivery) => `${delivery.status} ${delivery.message.id}`)).toEqual(['pending a1']);
    const reports = startReportSchedule({
      schedules: [MORNING],
      build: async (periodMs) => reportAt(clock.now(), periodMs),
      outbox,
      now: clock.now,
    });
    reports.close();
    expect(outbox.reportRuns().load()).toEqual([
      { name: 'morning', schedule: '["0 7 * * *","Europe/Berlin"]', nextAt: Date.parse('2026-12-05T06:00:00Z') },
    ]);
  });
});

describe('startAlerting with scheduled reports', () => {
  test('sendReport delivers through the started outbox; without a report builder it is refused', async () => {
    const receiver = await startHttpReceiver();
    onCleanup(() => receiver.close());
    const server = await startTarget();
    const monitor = openMonitor({ targets: [targetFor('api', server.url())] });
    const spec = alertsSpec({
      channels: { ops: { type: 'webhook', url: `${receiver.url}/hook` } },
      reports: [{ name: 'morning', schedule: '0 7 * * *', channels: ['ops'] }],
    });
    const alerting = startAlerting({
      monitor,
      spec,
      dbPath: freshDbPath(),
      fleet: 'prod',
      report: async (periodMs) => reportAt(Date.now(), periodMs),
    });
    onCleanup(() => alerting.close());
    expect(alerting.reports?.nextRuns().map((run) => run.name)).toEqual(['morning']);
    await alerting.sendReport('morning');
    while (receiver.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(received(receiver).map((message) => `${message.kind}: ${message.title}`)).toEqual([
      'report: [prod] Fleet report: morning, last 1d',
    ]);

    const without = startAlerting({ monitor, spec, dbPath: freshDbPath() });
    onCleanup(() => without.close());
    expect(without.reports).toBeUndefined();
    await expect(without.sendReport('morning')).rejects.toThrow('this process cannot build reports');
  });
});
