import type { BusBacklog, KnowledgeSync } from '../schemas/fleet-status.ts';
import type { StateTransition, TargetState } from '../schemas/monitor.ts';
import type { AlertMessage } from './alert-message.ts';
import type { AlertEvent, AlertRule, AlertSilence, AlertsSpec } from './alerts-spec.ts';
import { type AlertFacts, alertMessage } from './internal/alert-text.ts';
import { coversHost, coversTarget, type HostGroups, silenceActive } from './internal/selectors.ts';

/** One alert and the channels it goes to. */
export interface AlertDispatch {
  message: AlertMessage;
  channels: string[];
}

/** A monitor target as the engine needs it. */
export interface AlertTarget {
  id: string;
  host: string;
  state: TargetState;
  /** When it entered `state` (ISO), if known. */
  since?: string | null;
}

/** Options of {@link AlertEngine}. */
export interface AlertEngineOptions {
  spec: AlertsSpec;
  /** Host groups by host name (`hosts.<name>.groups` of the fleet file). @default {} */
  hostGroups?: Readonly<Record<string, readonly string[]>>;
  /** The fleet's name, in every title. @default 'fleet' */
  fleet?: string;
  /** Clock, epoch ms. @default Date.now */
  now?: () => number;
  /** Silences besides the spec's, read at every check (e.g. those set with `fleet silence`). */
  silences?: () => readonly AlertSilence[];
  /**
   * Where the engine keeps what each rule last told its channels, so a restarted process neither
   * repeats a `down` nor misses the `recovered` of a target that came back meanwhile.
   * @default memory only
   */
  memory?: AlertEngineMemory;
}

/** What a rule last told its channels about one subject: the level (1 degraded, 2 down) and when. */
export interface AlertNotified {
  level: number;
  atMs: number;
}

/** Durable storage of the engine's {@link AlertNotified} entries, by opaque key. */
export interface AlertEngineMemory {
  load(): Iterable<readonly [string, AlertNotified]>;
  /** Stores the entry, or deletes it with `undefined`. */
  save(key: string, value: AlertNotified | undefined): void;
}

/** 0: fine, 1: degraded, 2: down (or over a threshold). */
type Level = 0 | 1 | 2;

interface TargetInfo {
  id: string;
  host: string;
  state: TargetState;
  /** The problem level, kept through `unknown`, `deploying` and recovery: only `up` clears it. */
  level: Level;
  /** When `level` was entered. */
  sinceMs: number;
  reason: string | null;
}

/** What a rule last told its channels about one subject. */
interface Notified {
  level: Level;
  /** When it last sent about it (the first alert or a reminder). */
  atMs: number;
}

const DEFAULT_SYNC_LAG_MS = 300_000;

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
  readonly #gauges = new Map<
    string,
    { kind: 'dead_letters' | 'sync_lag'; target: string; host: string; subject: string; value: number }
  >();
  readonly #notified = new Map<string, Notified>();
  readonly #memory: AlertEngineMemory | undefined;
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
    this.#memory = options.memory;
    this.#ruleIds = this.#spec.rules.map((rule) => ruleId(rule));
    const known = new Set(this.#ruleIds);
    for (const [key, value] of this.#memory?.load() ?? []) {
      const level = value.level === 1 || value.level === 2 ? value.level : undefined;
      // Entries of rules no longer in the file are dropped.
      if (level !== undefined && known.has(key.split(' ', 1)[0]!)) this.#notified.set(key, { level, atMs: value.atMs });
      else this.#memory?.save(key, undefined);
    }
  }

  /**
   * Sets the targets watched (the monitor's statuses), keeping what is known of those that stay.
   * A target first seen `down` counts as down since its `since`.
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
              level: levelOf(0, target.state),
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
    return this.tick();
  }

  /** Takes the bus backlogs the monitor read; alerts `dead_letters`. */
  observeBus(backlogs: readonly BusBacklog[]): AlertDispatch[] {
    for (const backlog of backlogs) {
      const host = this.#targets.get(backlog.target)?.host ?? '';
      for (const [key, gauge] of this.#gauges)
        if (gauge.kind === 'dead_letters' && gauge.target === backlog.target) this.#gauges.delete(key);
      if (backlog.error !== null) continue;
      for (const recipient of backlog.recipients) {
        this.#gauges.set(`dead_letters ${backlog.target} ${recipient.agent}`, {
          kind: 'dead_letters',
          target: backlog.target,
          host,
          subject: recipient.agent,
          value: recipient.dead,
        });
      }
    }
    return this.tick();
  }

  /** Takes the knowledge sync status the monitor read; alerts `sync_lag`. */
  observeKnowledge(syncs: readonly KnowledgeSync[]): AlertDispatch[] {
    for (const sync of syncs) {
      const host = this.#targets.get(sync.target)?.host ?? '';
      for (const [key, gauge] of this.#gauges)
        if (gauge.kind === 'sync_lag' && gauge.target === sync.target) this.#gauges.delete(key);
      if (sync.error !== null) continue;
      for (const peer of sync.peers) {
        this.#gauges.set(`sync_lag ${sync.target} ${peer.peer}`, {
          kind: 'sync_lag',
          target: sync.target,
          host,
          subject: peer.peer,
          value: (peer.lagSeconds ?? 0) * 1000,
        });
      }
    }
    return this.tick();
  }

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
    const notified = this.#notified.get(key) ?? { level: 0, atMs: 0 };
    if (targets.length < 2 || !rule.events.includes('down')) return false;
    if (!targets.some((target) => coversTarget(rule, target.id, host, this.#groups))) return false;
    const down = targets.every((target) => target.level === 2);
    if (this.#hostSilenced(host, now) || targets.some((target) => target.state === 'deploying'))
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
    const notified = this.#notified.get(key) ?? { level: 0, atMs: 0 };
    if (target.state === 'deploying' || this.#targetSilenced(target, now)) return;
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

  #gauge(
    rule: AlertRule,
    index: string,
    key: string,
    gauge: { kind: 'dead_letters' | 'sync_lag'; target: string; host: string; subject: string; value: number },
    now: number,
    out: Dispatches,
  ): void {
    if (!rule.events.includes(gauge.kind)) return;
    const covered =
      coversTarget(rule, gauge.target, gauge.host, this.#groups) ||
      (gauge.kind === 'dead_letters' && (rule.targets?.includes(gauge.subject) ?? false));
    if (!covered) return;
    const owner = this.#targets.get(gauge.target);
    if (owner && (owner.state === 'deploying' || this.#targetSilenced(owner, now))) return;
    const ruleKey = `${index} ${key}`;
    const notified = this.#notified.get(ruleKey) ?? { level: 0, atMs: 0 };
    const threshold = gauge.kind === 'dead_letters' ? (rule.deadLetters ?? 0) : (rule.syncLag ?? DEFAULT_SYNC_LAG_MS);
    const over = gauge.value > threshold;
    const facts =
      gauge.kind === 'dead_letters'
        ? {
            headline: `${gauge.value} dead letters for ${gauge.subject} on ${gauge.target}`,
            lines: [`Threshold: ${threshold}`],
          }
        : {
            headline: `${gauge.target} is ${Math.round(gauge.value / 1000)}s behind towards ${gauge.subject}`,
            lines: [`Threshold: ${Math.round(threshold / 1000)}s`],
          };
    const base = { targets: [gauge.target], ...(gauge.host === '' ? {} : { host: gauge.host }) };
    if (over && notified.level === 0) {
      out.add(rule, { ...base, ...facts, kind: gauge.kind });
      this.#remember(ruleKey, { level: 2, atMs: now });
    } else if (!over && notified.level === 2) {
      if (rule.events.includes('recovered')) {
        const what =
          gauge.kind === 'dead_letters' ? `dead letters for ${gauge.subject}` : `sync towards ${gauge.subject}`;
        out.add(rule, { ...base, kind: 'recovered', headline: `${gauge.target}: ${what} back under the threshold` });
      }
      this.#remember(ruleKey, undefined);
    }
  }

  #remind(rule: AlertRule, key: string, notified: Notified, now: number, out: Dispatches, facts: AlertFacts): void {
    if (rule.remindEvery === undefined || now - notified.atMs < rule.remindEvery) return;
    out.add(rule, facts);
    this.#remember(key, { level: notified.level, atMs: now });
  }

  #remember(key: string, value: Notified | undefined): void {
    if (value === undefined || value.level === 0) {
      if (!this.#notified.delete(key)) return;
      this.#memory?.save(key, undefined);
      return;
    }
    this.#notified.set(key, value);
    this.#memory?.save(key, { level: value.level, atMs: value.atMs });
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

/** A short stable id of a rule's content (FNV-1a over its JSON). */
function ruleId(rule: AlertRule): string {
  let hash = 0x811c9dc5;
  for (const char of JSON.stringify(rule)) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `r${hash.toString(16)}`;
}

/** The problem level after a transition to `state`: `unknown` and `deploying` keep it, and so does recovering from down. */
function levelOf(previous: Level, state: TargetState): Level {
  if (state === 'down') return 2;
  if (state === 'up') return 0;
  if (state === 'degraded') return previous === 2 ? 2 : 1;
  return previous;
}

/** A level as far as the rule asks about it: a rule without `degraded` hears of degradation as nothing. */
function effective(rule: AlertRule, level: Level): Level {
  const wants = (event: AlertEvent) => rule.events.includes(event);
  if (level === 2) return wants('down') ? 2 : wants('degraded') ? 1 : 0;
  if (level === 1) return wants('degraded') ? 1 : 0;
  return 0;
}

/** The alerts of one pass: one message per subject and kind, to the union of the rules' channels. */
class Dispatches {
  readonly #byKey = new Map<string, { facts: AlertFacts; channels: Set<string> }>();

  constructor(
    private readonly now: number,
    private readonly fleet: string | undefined,
  ) {}

  add(rule: AlertRule, facts: AlertFacts): void {
    const key = `${facts.kind} ${facts.headline}`;
    const entry = this.#byKey.get(key) ?? { facts, channels: new Set<string>() };
    for (const channel of rule.channels) entry.channels.add(channel);
    this.#byKey.set(key, entry);
  }

  list(): AlertDispatch[] {
    return [...this.#byKey.values()].map(({ facts, channels }) => ({
      message: alertMessage(facts, this.now, this.fleet),
      channels: [...channels],
    }));
  }
}
