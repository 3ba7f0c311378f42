import type { BusBacklog, KnowledgeSync } from '../schemas/fleet-status.ts';
import type { StateTransition } from '../schemas/monitor.ts';
import type { AlertEngineOptions, AlertTarget } from './alert-engine-options.ts';
import type { AlertsSpec } from './alerts-spec.ts';
import { type AlertDispatch, Dispatches } from './internal/alert-dispatches.ts';
import { Gauges } from './internal/alert-gauges.ts';
import { type Level, ruleId } from './internal/alert-levels.ts';
import { AlertSilences } from './internal/alert-silences.ts';
import { applyTransition, newTargetInfo, type TargetInfo, targetsByHost } from './internal/alert-subjects.ts';
import { type AlertFacts, alertMessage } from './internal/alert-text.ts';
import { type AlertEngineMemory, NotifiedLedger } from './internal/notified-ledger.ts';
import { RuleReconciler } from './internal/rule-reconciler.ts';
import { coversHostOrItsTargets, coversTarget, type HostGroups } from './internal/selectors.ts';

export type { AlertEngineOptions, AlertTarget } from './alert-engine-options.ts';
export type { AlertDispatch } from './internal/alert-dispatches.ts';
export type { AlertEngineMemory, AlertNotified } from './internal/notified-ledger.ts';

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
 *   target's `down` waits `groupWait` for the rest of its host. `host_recovered` when any target it
 *   named comes back is the recovery of them all (one still down is alerted again, on its own).
 * - Silences suppress (what is still wrong when one ends is alerted then); a silenced target
 *   counts neither for nor against its host being down, and a `host_down` does not name it. A
 *   target `deploying` produces nothing, and its reminders pause.
 * - `dead_letters` (a bus's dead letters for an agent above `deadLetters`) and `sync_lag` (a
 *   knowledge node whose peer has been behind for longer than `syncLag`) come from the monitor's
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
  readonly #silences: AlertSilences;
  readonly #reconcile: RuleReconciler;

  constructor(options: AlertEngineOptions) {
    this.#spec = options.spec;
    this.#groups = new Map(Object.entries(options.hostGroups ?? {}));
    this.#fleet = options.fleet;
    this.#now = options.now ?? Date.now;
    this.#silences = new AlertSilences(this.#spec, options.silences, this.#groups);
    this.#ruleIds = this.#spec.rules.map((rule) => ruleId(rule));
    this.#notified = new NotifiedLedger(options.memory, this.#ruleIds);
    const targetOf = (id: string) => this.#targets.get(id);
    this.#reconcile = new RuleReconciler(this.#spec, this.#groups, this.#notified, this.#silences, targetOf);
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
          : newTargetInfo(target, this.#rememberedLevel(target.id, target.host), since),
      );
    }
    this.#targets = next;
    return this.tick();
  }

  /** Takes one state change of the monitor; returns the alerts it causes. */
  transition(transition: StateTransition): AlertDispatch[] {
    const target = this.#targets.get(transition.target);
    if (!target) return [];
    applyTransition(target, transition);
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

  /**
   * A deploy (or its rollback) failed on `host`: one `deploy_failed` alert to the channels of the
   * rules that list it and cover the host: name it, a group of it, or a target running on it (a
   * failed deploy of a host concerns every target there), or name nothing. A failure before any
   * host (no `host`) may concern any target, so every rule that lists `deploy_failed` hears of it,
   * whatever it covers; only a silence of everything silences it. A failure on a host is silenced
   * by a silence of the host, or by silences of every target known to run there.
   */
  deployFailed(failure: { host?: string; reason: string }): AlertDispatch[] {
    const now = this.#now();
    this.#silences.load();
    // A failure before any host (no host named) is silenced only by a silence of everything.
    if (failure.host === undefined && this.#silences.everythingSilenced(now)) return [];
    const channels = new Set<string>();
    const hostOf = (target: string) => this.#targets.get(target)?.host;
    if (failure.host !== undefined) {
      const onHost = [...this.#targets.values()].filter((target) => target.host === failure.host).map(({ id }) => id);
      if (this.#silences.hostOrItsTargetsSilenced(failure.host, onHost, now)) return [];
    }
    for (const rule of this.#spec.rules) {
      if (!rule.events.includes('deploy_failed')) continue;
      if (failure.host !== undefined && !coversHostOrItsTargets(rule, failure.host, this.#groups, hostOf)) continue;
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

  /**
   * Runs `pass` (calls of this engine and the queueing of the alerts they return) as one unit:
   * what they record as told is saved in one transaction of the `memory` (when it has
   * {@link AlertEngineMemory.transaction}, as the outbox's has) together with what `pass` queues
   * there, and when `pass` throws it is undone, here and in the memory, so the next call returns
   * those alerts again instead of taking them as sent.
   *
   * @example
   * engine.atomically(() => {
   *   for (const { message, channels } of engine.tick()) outbox.enqueue(message, channels);
   * });
   */
  atomically<T>(pass: () => T): T {
    return this.#notified.atomically(pass);
  }

  /** Reconciles every rule and subject now: reminders, group waits that ended, silences that ended. */
  tick(): AlertDispatch[] {
    const now = this.#now();
    this.#silences.load();
    const out = new Dispatches(now, this.#fleet);
    const byHost = targetsByHost(this.#targets.values());
    this.#spec.rules.forEach((rule, position) => {
      const index = this.#ruleIds[position]!;
      const named = new Map<string, ReadonlySet<string>>();
      for (const [host, targets] of byHost) {
        const hostNamed = this.#reconcile.host(rule, index, host, targets, now, out);
        if (hostNamed) named.set(host, hostNamed);
      }
      for (const target of this.#targets.values()) {
        if (!coversTarget(rule, target.id, target.host, this.#groups)) continue;
        const hostTargets = byHost.get(target.host) ?? [];
        this.#reconcile.target(rule, index, target, hostTargets, named.get(target.host), now, out);
      }
      for (const [key, gauge] of this.#gauges) this.#reconcile.gauge(rule, index, key, gauge, now, out);
      // Listed before the loop: reconciling a vanished subject clears its entry.
      const vanished = [...this.#gauges.vanished([...this.#notified.keysAfter(`${index} `)])];
      for (const [key, gauge] of vanished) this.#reconcile.gauge(rule, index, key, gauge, now, out);
    });
    return out.list();
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
}
