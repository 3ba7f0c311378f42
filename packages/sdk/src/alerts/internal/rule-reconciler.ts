import type { AlertRule, AlertsSpec } from '../alerts-spec.ts';
import type { Dispatches } from './alert-dispatches.ts';
import { type Gauge, readGauge } from './alert-gauges.ts';
import { effective } from './alert-levels.ts';
import type { AlertSilences } from './alert-silences.ts';
import type { TargetInfo } from './alert-subjects.ts';
import type { AlertFacts } from './alert-text.ts';
import type { Notified, NotifiedLedger } from './notified-ledger.ts';
import { coversTarget, type HostGroups } from './selectors.ts';

/** The ledger key saying that the standing `host_down` of `host` named target `id`. */
function namedKey(index: string, host: string, id: string): string {
  return `${index} host ${host} named ${id}`;
}

/**
 * Reconciles one subject (a host, a target, a gauge) for one rule against what that rule last
 * told its channels about it ({@link NotifiedLedger}): adds the alerts that are due to `out` and
 * records what they said. `index` is the rule's key in the ledger.
 */
export class RuleReconciler {
  readonly #spec: AlertsSpec;
  readonly #groups: HostGroups;
  readonly #notified: NotifiedLedger;
  readonly #silences: AlertSilences;
  readonly #targetOf: (id: string) => TargetInfo | undefined;

  constructor(
    spec: AlertsSpec,
    groups: HostGroups,
    notified: NotifiedLedger,
    silences: AlertSilences,
    targetOf: (id: string) => TargetInfo | undefined,
  ) {
    this.#spec = spec;
    this.#groups = groups;
    this.#notified = notified;
    this.#silences = silences;
    this.#targetOf = targetOf;
  }

  /**
   * Reconciles one host for one rule; returns the targets its standing `host_down` named (and
   * speaks for), or `undefined` when none stands. Silenced targets are left out: the host is down
   * when every other target is (two or more), and its `host_down` names only those. It stands
   * until one of the targets it named is back; its `host_recovered` names them all.
   */
  host(
    rule: AlertRule,
    index: string,
    host: string,
    targets: TargetInfo[],
    now: number,
    out: Dispatches,
  ): ReadonlySet<string> | undefined {
    const key = `${index} host ${host}`;
    const notified = this.#notified.get(key);
    if (targets.length < 2 || !rule.events.includes('down')) return undefined;
    if (!targets.some((target) => coversTarget(rule, target.id, host, this.#groups))) return undefined;
    const watched = targets.filter((target) => !this.#silences.targetSilenced(target, now));
    const unsettled = (target: TargetInfo) => target.state === 'deploying' || !target.settled;
    if (notified.level === 2) return this.#standing(rule, index, host, targets, watched, notified, now, out);
    if (this.#silences.hostSilenced(host, now) || watched.length < 2 || watched.some(unsettled)) return undefined;
    if (!watched.every((target) => target.level === 2)) return undefined;
    // Each already paged on its own (before a healthy one's silence began): nothing new to say.
    if (watched.every((target) => this.#notified.get(`${index} target ${target.id}`).level === 2)) return undefined;
    const ids = watched.map((target) => target.id);
    const silenced = targets.length - watched.length;
    out.add(rule, {
      kind: 'host_down',
      headline: `host ${host} is DOWN (all ${ids.length} targets${silenced > 0 ? `; ${silenced} more silenced` : ''})`,
      targets: ids,
      host,
      sinceMs: Math.max(...watched.map((target) => target.sinceMs)),
    });
    this.#notified.remember(key, { level: 2, atMs: now });
    // It speaks for its targets from now on: their own alerts stop, and its recovery is theirs.
    for (const id of ids) this.#name(index, host, id, now);
    return new Set(ids);
  }

  /** A standing `host_down` of `host`: recovered when a target it named is back, else reminded. */
  #standing(
    rule: AlertRule,
    index: string,
    host: string,
    targets: TargetInfo[],
    watched: TargetInfo[],
    notified: Notified,
    now: number,
    out: Dispatches,
  ): ReadonlySet<string> | undefined {
    const key = `${index} host ${host}`;
    let named = targets.filter((target) => this.#notified.get(namedKey(index, host, target.id)).level === 2);
    if (named.length === 0) {
      // Remembered by an older version, which did not record the targets it named: all but the silenced.
      named = watched;
      for (const target of named) this.#name(index, host, target.id, now);
    }
    const ids = named.map((target) => target.id);
    const live = named.filter((target) => !this.#silences.targetSilenced(target, now));
    if (
      this.#silences.hostSilenced(host, now) ||
      live.length === 0 ||
      live.some((target) => target.state === 'deploying' || !target.settled)
    )
      return new Set(ids);
    if (live.some((target) => target.level < 2)) {
      if (rule.events.includes('recovered'))
        out.add(rule, { kind: 'host_recovered', headline: `host ${host} is back`, targets: ids, host });
      this.#notified.remember(key, undefined);
      // Announced back with the host: one still down is alerted afresh, on its own.
      for (const id of ids) {
        this.#notified.remember(namedKey(index, host, id), undefined);
        this.#notified.remember(`${index} target ${id}`, undefined);
      }
      return undefined;
    }
    this.#remind(rule, key, notified, now, out, {
      kind: 'reminder',
      headline: `host ${host} is still DOWN`,
      targets: ids,
      host,
      sinceMs: Math.max(...named.map((target) => target.sinceMs)),
    });
    return new Set(ids);
  }

  /** Records that the `host_down` of `host` named (and speaks for) target `id`. */
  #name(index: string, host: string, id: string, now: number): void {
    this.#notified.remember(namedKey(index, host, id), { level: 2, atMs: now });
    this.#notified.remember(`${index} target ${id}`, { level: 2, atMs: now });
  }

  /**
   * Reconciles one target for one rule; `hostTargets` are the targets of its host (itself
   * included), `hostNamed` the targets its host's standing `host_down` named (`undefined` when none
   * stands): that alert speaks for them, and only one it did not name (silenced then) is alerted on
   * its own.
   */
  target(
    rule: AlertRule,
    index: string,
    target: TargetInfo,
    hostTargets: TargetInfo[],
    hostNamed: ReadonlySet<string> | undefined,
    now: number,
    out: Dispatches,
  ): void {
    const key = `${index} target ${target.id}`;
    const notified = this.#notified.get(key);
    if (target.state === 'deploying' || !target.settled || this.#silences.targetSilenced(target, now)) return;
    if (hostNamed?.has(target.id)) {
      // Named by its host's alert (also one remembered from before the targets were recorded).
      if (notified.level < 2) this.#notified.remember(key, { level: 2, atMs: now });
      return;
    }
    const level = effective(rule, target.level);
    const base = { targets: [target.id], host: target.host, sinceMs: target.sinceMs, reason: target.reason };
    if (level > notified.level) {
      // A whole host going down is one alert: wait for the rest of the host's targets.
      const grouping =
        level === 2 &&
        hostNamed === undefined &&
        rule.events.includes('down') &&
        now - target.sinceMs < this.#spec.groupWait &&
        hostTargets.filter((other) => !this.#silences.targetSilenced(other, now)).length >= 2;
      if (grouping) return;
      const down = level === 2;
      out.add(rule, {
        ...base,
        kind: down ? 'down' : 'degraded',
        headline: `${target.id} is ${down ? 'DOWN' : 'DEGRADED'} on ${target.host}`,
      });
      this.#notified.remember(key, { level, atMs: now });
    } else if (level < notified.level) {
      if (level === 0 && rule.events.includes('recovered'))
        out.add(rule, {
          kind: 'recovered',
          headline: `${target.id} is back up on ${target.host}`,
          targets: [target.id],
          host: target.host,
        });
      if (level === 0) this.#notified.remember(key, undefined);
      else this.#notified.remember(key, { level, atMs: notified.atMs });
    } else if (level === 2 && target.state === 'down') {
      this.#remind(rule, key, notified, now, out, {
        ...base,
        kind: 'reminder',
        headline: `${target.id} is still DOWN on ${target.host}`,
      });
    }
  }

  /** Reconciles one gauge (its key in the engine's gauges is `key`) for one rule. */
  gauge(rule: AlertRule, index: string, key: string, gauge: Gauge, now: number, out: Dispatches): void {
    if (!rule.events.includes(gauge.kind)) return;
    const covered =
      coversTarget(rule, gauge.target, gauge.host, this.#groups) ||
      (gauge.kind === 'dead_letters' && (rule.targets?.includes(gauge.subject) ?? false));
    if (!covered) return;
    const owner = this.#targetOf(gauge.target);
    if (owner && (owner.state === 'deploying' || this.#silences.targetSilenced(owner, now))) return;
    const ruleKey = `${index} ${key}`;
    const notified = this.#notified.get(ruleKey);
    const { over, headline, lines, recovered } = readGauge(rule, gauge);
    const base = { targets: [gauge.target], ...(gauge.host === '' ? {} : { host: gauge.host }) };
    if (over && notified.level === 0) {
      out.add(rule, { ...base, headline, lines, kind: gauge.kind });
      this.#notified.remember(ruleKey, { level: 2, atMs: now });
    } else if (!over && notified.level === 2) {
      if (rule.events.includes('recovered')) {
        out.add(rule, {
          ...base,
          kind: 'recovered',
          headline: `${gauge.target}: ${recovered} back under the threshold`,
        });
      }
      this.#notified.remember(ruleKey, undefined);
    }
  }

  #remind(rule: AlertRule, key: string, notified: Notified, now: number, out: Dispatches, facts: AlertFacts): void {
    if (rule.remindEvery === undefined || now - notified.atMs < rule.remindEvery) return;
    out.add(rule, facts);
    this.#notified.remember(key, { level: notified.level, atMs: now });
  }
}
