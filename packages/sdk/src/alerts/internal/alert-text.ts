import { formatDuration } from '../../internal/duration.ts';
import { toIso } from '../../internal/iso-time.ts';
import type { AlertKind, AlertMessage, AlertSeverity } from '../alert-message.ts';

const SEVERITY: Record<AlertKind, AlertSeverity> = {
  down: 'critical',
  host_down: 'critical',
  reminder: 'critical',
  deploy_failed: 'critical',
  dead_letters: 'critical',
  degraded: 'warning',
  sync_lag: 'warning',
  recovered: 'info',
  host_recovered: 'info',
  test: 'info',
  report: 'info',
};

/** What a message is about, before it is written. */
export interface AlertFacts {
  kind: AlertKind;
  /** The headline after the fleet's tag, e.g. `bus is DOWN on vps1`. */
  headline: string;
  targets: string[];
  host?: string;
  /** When the problem started (epoch ms), for "since" and durations. */
  sinceMs?: number;
  reason?: string | null;
  /** Extra lines of the text. */
  lines?: string[];
}

/** Writes an {@link AlertMessage}: title, text and severity from the facts. */
export function alertMessage(facts: AlertFacts, nowMs: number, fleet: string | undefined): AlertMessage {
  const lines = [
    `Targets: ${facts.targets.join(', ')}`,
    ...(facts.host === undefined ? [] : [`Host: ${facts.host}`]),
    ...(facts.sinceMs === undefined
      ? []
      : [
          `Since: ${toIso(facts.sinceMs)} (${formatDuration(Math.max(0, Math.round((nowMs - facts.sinceMs) / 1000)) * 1000)})`,
        ]),
    ...(facts.reason ? [`Reason: ${facts.reason}`] : []),
    ...(facts.lines ?? []),
  ];
  return {
    id: crypto.randomUUID(),
    kind: facts.kind,
    severity: SEVERITY[facts.kind],
    title: `[${fleet ?? 'fleet'}] ${facts.headline}`,
    text: lines.join('\n'),
    targets: facts.targets,
    ...(facts.host === undefined ? {} : { host: facts.host }),
    ...(fleet === undefined ? {} : { fleet }),
    at: toIso(nowMs),
  };
}
