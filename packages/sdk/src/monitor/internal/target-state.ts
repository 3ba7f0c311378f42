import type { TargetState } from '../../schemas/monitor.ts';
import type { ProbeVerdict } from './http-probe.ts';

/** A change of a target's state, before it gets its target id and ISO time. */
export interface StateChange {
  atMs: number;
  from: TargetState;
  to: TargetState;
  reason: string | null;
}

/** How the reason of a transition to `degraded` on the way back from `down` starts. */
export const RECOVERING = 'recovering:';

/** The health part of the state: what probes say, apart from any deploy window. */
type Health = 'unknown' | 'up' | 'degraded' | 'down';

/** Failed and good probes in a row needed to go down and to be up again. */
export interface Thresholds {
  failureThreshold: number;
  successThreshold: number;
}

/**
 * The state machine of one target. `unknown` until the first good probe (or `failureThreshold`
 * failures); `down` after `failureThreshold` failed probes in a row; from down, `degraded`
 * (recovering) until `successThreshold` good probes in a row, then `up`; `degraded` also while
 * answers are slow. Inside a deploy window the state is `deploying`, failures do not count, and
 * the health seen before the window no longer holds (it starts over from `unknown`); a target
 * already `down` when the window opens is the exception: the window covers only what goes down
 * during the deploy, so it stays `down` (its health and counts kept) until it answers again, and
 * is `deploying` from then on while the window lasts. A gap in monitoring
 * ({@link TargetStateMachine.forget}) starts it over from `unknown` too.
 */
export class TargetStateMachine {
  /** The state shown. */
  state: TargetState;
  /** When it entered `state`, epoch ms; null when it was never known. */
  since: number | null;
  #health: Health;
  #recovering = false;
  #failures = 0;
  #successes = 0;
  #deployUntil: number | null = null;
  #thresholds: Thresholds;

  /**
   * Starts from a persisted state (the last transition), or `unknown`. `recovering`: that state is
   * `degraded` on the way back from `down`, so `up` still takes `successThreshold` good probes in a
   * row (counted afresh: how many came after the transition is not persisted).
   */
  constructor(thresholds: Thresholds, restored?: { state: TargetState; since: number; recovering?: boolean }) {
    this.#thresholds = thresholds;
    // A deploy window does not survive a restart: its end is not persisted.
    const state = restored && restored.state !== 'deploying' ? restored.state : 'unknown';
    this.#health = state as Health;
    this.#recovering = state === 'degraded' && restored?.recovering === true;
    this.state = state;
    this.since = restored && state === restored.state ? restored.since : null;
  }

  /** New thresholds (the fleet file changed); the counts so far are kept. */
  setThresholds(thresholds: Thresholds): void {
    this.#thresholds = thresholds;
  }

  /** The end of the current deploy window, epoch ms, or null. */
  get deployUntil(): number | null {
    return this.#deployUntil;
  }

  /** Applies one probe's verdict; returns the change it caused, if any. */
  apply(atMs: number, verdict: ProbeVerdict, reason: string | null): StateChange | null {
    const windowEnded = this.#expireWindow(atMs);
    const inWindow = this.#deployUntil !== null;
    const { failureThreshold, successThreshold } = this.#thresholds;
    let why = reason;
    if (verdict === 'fail') {
      this.#successes = 0;
      if (!inWindow) {
        this.#failures += 1;
        if (this.#failures >= failureThreshold) {
          this.#health = 'down';
          this.#recovering = false;
          why = `${this.#failures} failed probe${this.#failures === 1 ? '' : 's'} in a row: ${reason ?? 'failed'}`;
        }
      }
    } else {
      this.#failures = 0;
      this.#successes += 1;
      if (this.#health === 'down' || this.#recovering) {
        this.#recovering = this.#successes < successThreshold;
        why = this.#recovering
          ? `${RECOVERING} ${this.#successes} of ${successThreshold} good probes`
          : `${this.#successes} good probes in a row`;
      }
      this.#health = this.#recovering || verdict === 'slow' ? 'degraded' : 'up';
      if (verdict === 'slow' && !this.#recovering) why = reason;
    }
    if (windowEnded && why === null) why = 'deploy window ended';
    return this.#show(atMs, this.#shown(), why);
  }

  /**
   * Forgets the health seen so far: nothing probed the target from `atMs` on (the monitor was not
   * running, or was held up), so what held then says nothing about the time since. The state is
   * `unknown` from `atMs` (`deploying` while a deploy window runs) and the counts start over, as
   * for a target never probed. Returns the change it caused, if any.
   */
  forget(atMs: number, reason: string): StateChange | null {
    this.#resetHealth();
    return this.#show(atMs, this.#shown(), reason);
  }

  /**
   * Starts a deploy window until `untilMs` (or ends the current one when `untilMs <= nowMs`).
   * A target `down` when it opens stays `down`. Returns the change it caused, if any.
   */
  markDeploying(nowMs: number, untilMs: number): StateChange | null {
    if (untilMs <= nowMs) {
      if (this.#deployUntil === null) return null;
      this.#deployUntil = null;
      return this.#show(nowMs, this.#health, 'deploy window ended');
    }
    if (this.#deployUntil === null && this.#health !== 'down') this.#resetHealth();
    this.#deployUntil = untilMs;
    return this.#show(nowMs, this.#shown(), `deploy window until ${new Date(untilMs).toISOString()}`);
  }

  /** Ends the deploy window when it is over at `nowMs`; returns the change it caused, if any. */
  expire(nowMs: number): StateChange | null {
    return this.#expireWindow(nowMs) ? this.#show(nowMs, this.#health, 'deploy window ended') : null;
  }

  /**
   * The state to show: the health, or `deploying` inside a deploy window. Failures do not count
   * inside one, so a health of `down` there is one the window found: it stays shown.
   */
  #shown(): TargetState {
    return this.#deployUntil !== null && this.#health !== 'down' ? 'deploying' : this.#health;
  }

  /** Health and counts start over, as for a target never probed. */
  #resetHealth(): void {
    this.#health = 'unknown';
    this.#recovering = false;
    this.#failures = 0;
    this.#successes = 0;
  }

  #expireWindow(nowMs: number): boolean {
    if (this.#deployUntil === null || nowMs < this.#deployUntil) return false;
    this.#deployUntil = null;
    return true;
  }

  #show(atMs: number, to: TargetState, reason: string | null): StateChange | null {
    if (to === this.state) return null;
    const change = { atMs, from: this.state, to, reason };
    this.state = to;
    this.since = atMs;
    return change;
  }
}
