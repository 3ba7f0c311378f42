import type { BusBacklog, KnowledgeSync } from '../../schemas/fleet-status.ts';
import type { AlertRule } from '../alerts-spec.ts';

/** One reading the monitor's readers reported: a bus's dead letters for an agent, or a knowledge node's lag towards a peer. */
export interface Gauge {
  kind: 'dead_letters' | 'sync_lag';
  target: string;
  host: string;
  /** The agent (dead letters) or the peer (sync lag). */
  subject: string;
  /** A count, or milliseconds. */
  value: number;
}

const DEFAULT_SYNC_LAG_MS = 300_000;

/** The latest gauges by subject; each report of a target replaces all of that target's gauges of its kind. */
export class Gauges implements Iterable<[string, Gauge]> {
  readonly #byKey = new Map<string, Gauge>();

  /** Takes the bus backlogs the monitor read (a backlog that failed to read leaves its target without gauges). */
  observeBus(backlogs: readonly BusBacklog[], hostOf: (target: string) => string): void {
    for (const backlog of backlogs) {
      this.#forget('dead_letters', backlog.target);
      if (backlog.error !== null) continue;
      for (const recipient of backlog.recipients) {
        this.#byKey.set(`dead_letters ${backlog.target} ${recipient.agent}`, {
          kind: 'dead_letters',
          target: backlog.target,
          host: hostOf(backlog.target),
          subject: recipient.agent,
          value: recipient.dead,
        });
      }
    }
  }

  /** Takes the knowledge sync status the monitor read. */
  observeKnowledge(syncs: readonly KnowledgeSync[], hostOf: (target: string) => string): void {
    for (const sync of syncs) {
      this.#forget('sync_lag', sync.target);
      if (sync.error !== null) continue;
      for (const peer of sync.peers) {
        this.#byKey.set(`sync_lag ${sync.target} ${peer.peer}`, {
          kind: 'sync_lag',
          target: sync.target,
          host: hostOf(sync.target),
          subject: peer.peer,
          value: (peer.lagSeconds ?? 0) * 1000,
        });
      }
    }
  }

  [Symbol.iterator](): Iterator<[string, Gauge]> {
    return this.#byKey[Symbol.iterator]();
  }

  #forget(kind: Gauge['kind'], target: string): void {
    for (const [key, gauge] of this.#byKey) if (gauge.kind === kind && gauge.target === target) this.#byKey.delete(key);
  }
}

/** A gauge as one rule reads it: over its threshold or not, the alert's words, and what a recovery says came back. */
export function readGauge(
  rule: AlertRule,
  gauge: Gauge,
): { over: boolean; headline: string; lines: string[]; recovered: string } {
  if (gauge.kind === 'dead_letters') {
    const threshold = rule.deadLetters ?? 0;
    return {
      over: gauge.value > threshold,
      headline: `${gauge.value} dead letters for ${gauge.subject} on ${gauge.target}`,
      lines: [`Threshold: ${threshold}`],
      recovered: `dead letters for ${gauge.subject}`,
    };
  }
  const threshold = rule.syncLag ?? DEFAULT_SYNC_LAG_MS;
  return {
    over: gauge.value > threshold,
    headline: `${gauge.target} is ${Math.round(gauge.value / 1000)}s behind towards ${gauge.subject}`,
    lines: [`Threshold: ${Math.round(threshold / 1000)}s`],
    recovered: `sync towards ${gauge.subject}`,
  };
}
