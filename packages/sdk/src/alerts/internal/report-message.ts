import { formatDuration } from '../../internal/duration.ts';
import { toIso } from '../../internal/iso-time.ts';
import type { FleetReport } from '../../report/fleet-report.ts';
import type { AlertMessage } from '../alert-message.ts';

/** What a report message says besides the report. */
export interface ReportMessageFacts {
  /** The schedule's name. */
  name: string;
  /** The period the report covers, ms. */
  periodMs: number;
  /** The report and its rendered text. */
  report: FleetReport;
  text: string;
  fleet: string | undefined;
  nowMs: number;
  /** Unique per report; a scheduled one is named after its run, so a resend keeps it. */
  id: string;
  /** Set when the run was due well before it ran: when, and in which time zone. */
  late?: { dueAtMs: number; timezone: string };
}

/** `atMs` as `2026-12-05 07:00` in `timezone`. */
function localTime(atMs: number, timezone: string): string {
  return new Date(atMs).toLocaleString('sv-SE', { timeZone: timezone }).slice(0, 16);
}

/** The `report` alert of a fleet report: its text, and the report itself for the webhook channel. */
export function reportMessage(facts: ReportMessageFacts): AlertMessage {
  const lateLine = facts.late
    ? `Late: this report was due at ${localTime(facts.late.dueAtMs, facts.late.timezone)} ${facts.late.timezone} (${toIso(facts.late.dueAtMs)}); the process that sends it was not running then.\n\n`
    : '';
  return {
    id: facts.id,
    kind: 'report',
    severity: 'info',
    title: `[${facts.fleet ?? 'fleet'}] Fleet report: ${facts.name}, last ${formatDuration(facts.periodMs)}`,
    text: `${lateLine}${facts.text}`,
    targets: facts.report.targets.map((target) => target.id),
    ...(facts.fleet === undefined ? {} : { fleet: facts.fleet }),
    at: toIso(facts.nowMs),
    report: facts.report,
  };
}
