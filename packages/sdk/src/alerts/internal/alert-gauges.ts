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

const GAUGE_KINDS: ReadonlySet<string> = new Set<Gauge['kind']>(['dead_letters', 'sync_lag']);

/** The latest gauges by subject; each report of a target replaces all of that target's gauges of its kind. */
export class Gauges implements Iterable<[string, Gauge]> {
  readonly #byKey = new Map<string, Gauge>();
  /** `<kind> <target>` of the targets whose last report of that kind was read, with their host. */
  readonly #read = new Map<string, string>();

  /** Takes the bus backlogs the monitor read (a backlog that failed to read leaves its target without gauges). */
  observeBus(backlogs: readonly BusBacklog[], hostOf: (target: string) => string): void {
    for (const backlog of backlogs) {
      this.#forget('dead_letters', backlog.target);
      if (backlog.error !== null) continue;
      this.#read.set(`dead_letters ${backlog.target}`, hostOf(backlog.target));
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
      this.#read.set(`sync_lag ${sync.target}`, hostOf(sync.target));
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

  /**
   * The subjects an alert was sent about (`keys`: gauge keys a rule remembers) that the last
   * successful read of their target no longer lists, as gauges of value 0: a bus lists only agents
   * with messages, so an agent whose dead letters were purged vanishes rather than reading 0, and
   * its alert must still recover (or a later one would never be sent). A target whose last read
   * failed, or that was never read since the start, says nothing about its subjects.
   */
  *vanished(keys: Iterable<string>): Generator<[string, Gauge]> {
    for (const key of keys) {
      if (this.#byKey.has(key)) continue;
      const [kind, target, subject, ...rest] = key.split(' ');
      if (kind === undefined || !GAUGE_KINDS.has(kind) || !target || !subject || rest.length > 0) continue;
      const host = this.#read.get(`${kind} ${target}`);
      if (host === undefined) continue;
      yield [key, { kind: kind as Gauge['kind'], target, host, subject, value: 0 }];
    }
  }

  #forget(kind: Gauge['kind'], target: string): void {
    this.#read.delete(`${kind} ${target}`);
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
