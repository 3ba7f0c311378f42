import type { FleetReport, ReportDeploy } from '../fleet-report.ts';
import { truncatedPercent } from '../truncated-percent.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A duration for people, in its two largest units: `45s`, `12m 5s`, `1h 4m`, `3d 2h`; hours up to
 * 47 before days take over, so a report of the last 24 hours reads `24h`.
 */
export function humanDuration(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms < SECOND) return '<1s';
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit} ${small}${smallUnit}`;
  const seconds = Math.round(ms / SECOND);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return pair(minutes, 'm', seconds % 60, 's');
  const hours = Math.floor(minutes / 60);
  if (ms < 2 * DAY) return pair(hours, 'h', minutes % 60, 'm');
  return pair(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

/** `0.99987` → `99.98%`, truncated so that anything short of perfect never reads 100%; null → `n/a`. */
export function formatUptime(fraction: number | null): string {
  return fraction === null ? 'n/a' : `${truncatedPercent(fraction)}%`;
}

/** `2026-12-05T10:04:05.123Z` → `2026-12-05 10:04:05 UTC` (`minutes`: without the seconds). */
export function formatTime(iso: string, minutes = false): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms)
    .toISOString()
    .slice(0, minutes ? 16 : 19)
    .replace('T', ' ')} UTC`;
}

/** The first 7 characters of a commit hash; anything else (a tag, a branch) as it is. */
export function shortCommit(commit: string | null): string {
  if (commit === null) return '-';
  return /^[0-9a-f]{8,}$/i.test(commit) ? commit.slice(0, 7) : commit;
}

/** Who started a deploy: `user@from`, or whichever of the two is known, or `-`. */
export function deployWho(deploy: { user: string | null; from: string | null }): string {
  if (deploy.user !== null && deploy.from !== null) return `${deploy.user}@${deploy.from}`;
  return deploy.user ?? (deploy.from === null ? '-' : `@${deploy.from}`);
}

/** A host's result in a deploy: `ezra failed (rollback ok)`. */
export function hostResult(host: ReportDeploy['hosts'][number]): string {
  return `${host.host} ${host.status}${host.rollback === null ? '' : ` (rollback ${host.rollback})`}`;
}

/** `2 incidents`, `1 incident`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The report's title: `Fleet report: prod, 2026-12-04 17:00 UTC to 2026-12-05 17:00 UTC (24h)`. */
export function reportTitle(report: FleetReport): string {
  const period = humanDuration(Date.parse(report.until) - Date.parse(report.since));
  return `Fleet report: ${report.fleet ?? 'fleet'}, ${formatTime(report.since, true)} to ${formatTime(report.until, true)} (${period})`;
}

/** The one-line summary under the title: targets up now, incidents, deploys, dead letters. */
export function reportSummary(report: FleetReport): string {
  const up = report.targets.filter((target) => target.state === 'up').length;
  const incidents = report.targets.reduce((sum, target) => sum + target.incidents.length, 0);
  const ok = report.deploys.filter((deploy) => deploy.status === 'ok' || deploy.status === 'changed').length;
  const failed = report.deploys.filter((deploy) => deploy.status === 'failed' || deploy.status === 'aborted').length;
  const running = report.deploys.filter((deploy) => deploy.status === 'running').length;
  const deadLetters = report.bus.reduce(
    (sum, bus) => sum + bus.agents.reduce((agents, agent) => agents + agent.deadLettered, 0),
    0,
  );
  const deploys = `deploys ${ok} ok, ${failed} failed${running > 0 ? `, ${running} running` : ''}`;
  const gaps = report.gaps.length > 0 ? `; ${plural(report.gaps.length, 'source')} not read` : '';
  return `${up}/${report.targets.length} targets up now; ${plural(incidents, 'incident')}; ${deploys}; ${plural(deadLetters, 'dead letter')}${gaps}`;
}

/** What an empty section says, one line each. */
export const EMPTY = {
  targets: 'No targets in the report.',
  deploys: 'No deploys in the period.',
  bus: 'No bus services in the report.',
  knowledge: 'No knowledge services in the report.',
  problems: 'No fleet file problems.',
  gaps: 'No gaps: every source was read.',
} as const;

/** The section headings, in report order. */
export const HEADINGS = {
  targets: 'Targets',
  deploys: 'Deploys',
  bus: 'Bus traffic',
  knowledge: 'Knowledge sync',
  problems: 'Fleet file problems',
  gaps: 'Gaps',
} as const;
