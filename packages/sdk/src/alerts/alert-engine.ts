import type { BusBacklog, KnowledgeSync } from '../schemas/fleet-status.ts';
import type { StateTransition, TargetState } from '../schemas/monitor.ts';
import type { AlertEngineOptions, AlertTarget } from './alert-engine-options.ts';
import type { AlertRule, AlertSilence, AlertsSpec } from './alerts-spec.ts';
import { type AlertDispatch, Dispatches } from './internal/alert-dispatches.ts';
import { type Gauge, Gauges, readGauge } from './internal/alert-gauges.ts';
import { effective, type Level, levelOf, ruleId } from './internal/alert-levels.ts';
import { type AlertFacts, alertMessage } from './internal/alert-text.ts';
import { type AlertEngineMemory, type Notified, NotifiedLedger } from './internal/notified-ledger.ts';
import { coversHost, coversTarget, type HostGroups, silenceActive } from './internal/selectors.ts';

export type { AlertEngineOptions, AlertTarget } from './alert-engine-options.ts';
export type { AlertDispatch } from './internal/alert-dispatches.ts';
export type { AlertEngineMemory, AlertNotified } from './internal/notified-ledger.ts';

/** States that say nothing of a target's health: a target first seen in one waits for a real one. */
const UNSETTLED: ReadonlySet<TargetState> = new Set(['unknown', 'deploying']);

interface TargetInfo {
  id: string;
  host: string;
  state: TargetState;
  /** The problem level, kept through `unknown`, `deploying` and recovery: only `up` clears it. */
  level: Level;
  /**
   * False while a target first seen `unknown` or `deploying` (a restart after a gap, a deploy
   * window) has shown no real state: until then it is not reconciled against what was sent.
   */
  settled: boolean;
  /** When `level` was entered. */
  sinceMs: number;
  reason: string | null;
}

/**
 * Turns the monitor's state changes into alerts, by the rules of a fleet file's `alerts:` block.
 * Pure logic: it returns what to send (each call), and keeps, per rule and subject, what it last
 * told that rule's channels; every call reconciles the subjects' levels against that.
 *
 * - A target that goes `down` (the monitor already applied its failure threshold) is alerted
 *   once; `degraded` too when the rule asks for it; `recovered` when it is `up` again (a target
 *   recovering from down shows `degraded` first: that is not a new alert).
 * - While it stays `down`, a reminder every `remindEvery`.
 * - When every target of a host (two or more) is down, one `host_down` replaces their alerts; a
 *   target's `down` waits `groupWait` for the rest of its host. `host_recovered` when any comes back.
 * - Silences suppress (what is still wrong when one ends is alerted then); a target `deploying`
 *   produces nothing, and its reminders pause.
 * - `dead_letters` (a bus's dead letters for an agent above `deadLetters`) and `sync_lag` (a
 *   knowledge node's oldest unacknowledged change older than `syncLag`) come from the monitor's
 *   readers ({@link AlertEngine.observeBus}, {@link AlertEngine.observeKnowledge}).
 *
 * Call {@link AlertEngine.tick} now and then (reminders, group waits, silences that end).
 */
export class AlertEngine {
  readonly #spec: AlertsSpec;
  readonly #groups: HostGroups;
  readonly #fleet: string | undefined;
  readonly #now: () => number;
  #targets = new Map<string, TargetInfo>();
  readonly #gauges = new Gauges();
  readonly #notified: NotifiedLedger;
  /** Each rule's key in {@link AlertEngineMemory}: its content, so an edited rule starts afresh. */
  readonly #ruleIds: string[];
  readonly #extraSilences: (() => readonly AlertSilence[]) | undefined;
  #silences: readonly AlertSilence[] = [];

  constructor(options: AlertEngineOptions) {
    this.#spec = options.spec;
    this.#groups = new Map(Object.entries(options.hostGroups ?? {}));
    this.#fleet = options.fleet;
    this.#now = options.now ?? Date.now;
    this.#extraSilences = options.silences;
    this.#ruleIds = this.#spec.rules.map((rule) => ruleId(rule));
    this.#notified = new NotifiedLedger(options.memory, this.#ruleIds);
  }

  /**
   * Sets the targets watched (the monitor's statuses), keeping what is known of those that stay.
   * A target first seen `down` counts as down since its `since`. A target first seen `unknown` or
   * `deploying` keeps what the memory says was sent about it until the monitor knows its state:
   * a restart neither recovers nor re-alerts a target still down.
   */
  setTargets(targets: readonly AlertTarget[]): AlertDispatch[] {
    const next = new Map<string, TargetInfo>();
    const now = this.#now();
    for (const target of targets) {
      const known = this.#targets.get(target.id);
      const since = target.since ? Date.parse(target.since) : now;
      next.set(
        target.id,
        known
          ? { ...known, host: target.host }
          : {
              id: target.id,
              host: target.host,
              state: target.state,
              level: levelOf(this.#rememberedLevel(target.id, target.host), target.state),
              settled: !UNSETTLED.has(target.state),
              sinceMs: since,
              reason: null,
            },
      );
    }
    this.#targets = next;
    return this.tick();
  }

  /** Takes one state change of the monitor; returns the alerts it causes. */
  transition(transition: StateTransition): AlertDispatch[] {
    const target = this.#targets.get(transition.target);
    if (!target) return [];
    const level = levelOf(target.level, transition.to);
    if (level !== target.level) {
      target.level = level;
      target.sinceMs = Date.parse(transition.at);
    }
    if (level !== 0 && transition.reason) target.reason = transition.reason;
    target.state = transition.to;
    if (!UNSETTLED.has(transition.to)) target.settled = true;
    return this.tick();
  }

  /** Takes the bus backlogs the monitor read; alerts `dead_letters`. */
  observeBus(backlogs: readonly BusBacklog[]): AlertDispatch[] {
    this.#gauges.observeBus(backlogs, this.#hostOf);
    return this.tick();
  }

  /** Takes the knowledge sync status the monitor read; alerts `sync_lag`. */
  observeKnowledge(syncs: readonly KnowledgeSync[]): AlertDispatch[] {
    this.#gauges.observeKnowledge(syncs, this.#hostOf);
    return this.tick();
  }

  readonly #hostOf = (target: string): string => this.#targets.get(target)?.host ?? '';

  /** A deploy (or its rollback) failed on `host`: one `deploy_failed` alert per rule that asks for it. */
  deployFailed(failure: { host?: string; reason: string }): AlertDispatch[] {
    const now = this.#now();
    this.#loadSilences();
    const channels = new Set<string>();
    for (const rule of this.#spec.rules) {
      if (!rule.events.includes('deploy_failed')) continue;
      if (failure.host !== undefined && !coversHost(rule, failure.host, this.#groups)) continue;
      if (failure.host !== undefined && this.#hostSilenced(failure.host, now)) continue;
      for (const channel of rule.channels) channels.add(channel);
    }
    if (channels.size === 0) return [];
    const where = failure.host === undefined ? '' : ` on ${failure.host}`;
    const facts: AlertFacts = {
      kind: 'deploy_failed',
      headline: `deploy FAILED${where}`,
      targets: [],
      reason: failure.reason,
      ...(failure.host === undefined ? {} : { host: failure.host }),
    };
    return [{ message: alertMessage(facts, now, this.#fleet), channels: [...channels] }];
  }

  /** Reconciles every rule and subject now: reminders, group waits that ended, silences that ended. */
  tick(): AlertDispatch[] {
    const now = this.#now();
    this.#loadSilences();
    const out = new Dispatches(now, this.#fleet);
    const byHost = new Map<string, TargetInfo[]>();
    for (const target of this.#targets.values()) {
      const list = byHost.get(target.host) ?? [];
      list.push(target);
      byHost.set(target.host, list);
    }
    this.#spec.rules.forEach((rule, position) => {
      const index = this.#ruleIds[position]!;
      const covered = new Set<string>();
      for (const [host, targets] of byHost) if (this.#host(rule, index, host, targets, now, out)) covered.add(host);
      for (const target of this.#targets.values()) {
        if (covered.has(target.host) || !coversTarget(rule, target.id, target.host, this.#groups)) continue;
        this.#target(rule, index, target, byHost.get(target.host) ?? [], now, out);
      }
      for (const [key, gauge] of this.#gauges) this.#gauge(rule, index, key, gauge, now, out);
    });
    return out.list();
  }

  /** Reconciles one host for one rule; returns true while its `host_down` stands for its targets. */
  #host(rule: AlertRule, index: string, host: string, targets: TargetInfo[], now: number, out: Dispatches): boolean {
    const key = `${index} host ${host}`;
    const notified = this.#notified.get(key);
    if (targets.length < 2 || !rule.events.includes('down')) return false;
    if (!targets.some((target) => coversTarget(rule, target.id, host, this.#groups))) return false;
    const down = targets.every((target) => target.level === 2);
    if (this.#hostSilenced(host, now) || targets.some((target) => target.state === 'deploying' || !target.settled))
      return notified.level === 2;
    const ids = targets.map((target) => target.id);
    const sinceMs = Math.max(...targets.map((target) => target.sinceMs));
    if (down && notified.level < 2) {
      out.add(rule, {
        kind: 'host_down',
        headline: `host ${host} is DOWN (all ${ids.length} targets)`,
        targets: ids,
        host,
        sinceMs,
      });
      this.#remember(key, { level: 2, atMs: now });
      return true;
    }
    if (!down && notified.level === 2) {
      if (rule.events.includes('recovered'))
        out.add(rule, { kind: 'host_recovered', headline: `host ${host} is back`, targets: ids, host });
      this.#remember(key, undefined);
      return false;
    }
    if (down)
      this.#remind(rule, key, notified, now, out, {
        kind: 'reminder',
        headline: `host ${host} is still DOWN`,
        targets: ids,
        host,
        sinceMs,
      });
    return down;
  }

  #target(
    rule: AlertRule,
    index: string,
    target: TargetInfo,
    hostTargets: TargetInfo[],
    now: number,
    out: Dispatches,
  ): void {
    const key = `${index} target ${target.id}`;
    const notified = this.#notified.get(key);
    if (target.state === 'deploying' || !target.settled || this.#targetSilenced(target, now)) return;
    const level = effective(rule, target.level);
    const base = { targets: [target.id], host: target.host, sinceMs: target.sinceMs, reason: target.reason };
    if (level > notified.level) {
      // A whole host going down is one alert: wait for the rest of the host's targets.
      const grouping =
        level === 2 &&
        hostTargets.length >= 2 &&
        rule.events.includes('down') &&
        now - target.sinceMs < this.#spec.groupWait;
      if (grouping) return;
      const down = level === 2;
      out.add(rule, {
        ...base,
        kind: down ? 'down' : 'degraded',
        headline: `${target.id} is ${down ? 'DOWN' : 'DEGRADED'} on ${target.host}`,
      });
      this.#remember(key, { level, atMs: now });
    } else if (level < notified.level) {
      if (level === 0 && rule.events.includes('recovered'))
        out.add(rule, {
          kind: 'recovered',
          headline: `${target.id} is back up on ${target.host}`,
          targets: [target.id],
          host: target.host,
        });
      if (level === 0) this.#remember(key, undefined);
      else this.#remember(key, { level, atMs: notified.atMs });
    } else if (level === 2 && target.state === 'down') {
      this.#remind(rule, key, notified, now, out, {
        ...base,
        kind: 'reminder',
        headline: `${target.id} is still DOWN on ${target.host}`,
      });
    }
  }

  #gauge(rule: AlertRule, index: string, key: string, gauge: Gauge, now: number, out: Dispatches): void {
    if (!rule.events.includes(gauge.kind)) return;
    const covered =
      coversTarget(rule, gauge.target, gauge.host, this.#groups) ||
      (gauge.kind === 'dead_letters' && (rule.targets?.includes(gauge.subject) ?? false));
    if (!covered) return;
    const owner = this.#targets.get(gauge.target);
    if (owner && (owner.state === 'deploying' || this.#targetSilenced(owner, now))) return;
    const ruleKey = `${index} ${key}`;
    const notified = this.#notified.get(ruleKey);
    const { over, headline, lines, recovered } = readGauge(rule, gauge);
    const base = { targets: [gauge.target], ...(gauge.host === '' ? {} : { host: gauge.host }) };
    if (over && notified.level === 0) {
      out.add(rule, { ...base, headline, lines, kind: gauge.kind });
      this.#remember(ruleKey, { level: 2, atMs: now });
    } else if (!over && notified.level === 2) {
      if (rule.events.includes('recovered')) {
        out.add(rule, {
          ...base,
          kind: 'recovered',
          headline: `${gauge.target}: ${recovered} back under the threshold`,
        });
      }
      this.#remember(ruleKey, undefined);
    }
  }

  #remind(rule: AlertRule, key: string, notified: Notified, now: number, out: Dispatches, facts: AlertFacts): void {
    if (rule.remindEvery === undefined || now - notified.atMs < rule.remindEvery) return;
    out.add(rule, facts);
    this.#remember(key, { level: notified.level, atMs: now });
  }

  /** The highest level any rule last sent about a target (or, with `host_down`, its host). */
  #rememberedLevel(id: string, host: string): Level {
    let level: Level = 0;
    for (const index of this.#ruleIds) {
      for (const key of [`${index} target ${id}`, `${index} host ${host}`]) {
        const notified = this.#notified.get(key).level;
        if (notified > level) level = notified;
      }
    }
    return level;
  }

  #remember(key: string, value: Notified | undefined): void {
    this.#notified.remember(key, value);
  }

  #loadSilences(): void {
    this.#silences = [...this.#spec.silences, ...(this.#extraSilences?.() ?? [])];
  }

  #targetSilenced(target: TargetInfo, now: number): boolean {
    return this.#silences.some(
      (silence) => silenceActive(silence, now) && coversTarget(silence, target.id, target.host, this.#groups),
    );
  }

  #hostSilenced(host: string, now: number): boolean {
    return this.#silences.some((silence) => silenceActive(silence, now) && coversHost(silence, host, this.#groups));
  }
}
