import type { StateTransition, TargetState } from '../../schemas/monitor.ts';
import type { AlertTarget } from '../alert-engine-options.ts';
import { type Level, levelOf } from './alert-levels.ts';

/** States that say nothing of a target's health: a target first seen in one waits for a real one. */
const UNSETTLED: ReadonlySet<TargetState> = new Set(['unknown', 'deploying']);

/** What the engine knows of one watched target. */
export interface TargetInfo {
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

/** A target first seen, in `target.state` since `sinceMs`; `remembered` is what was last sent about it. */
export function newTargetInfo(target: AlertTarget, remembered: Level, sinceMs: number): TargetInfo {
  return {
    id: target.id,
    host: target.host,
    state: target.state,
    level: levelOf(remembered, target.state),
    settled: !UNSETTLED.has(target.state),
    sinceMs,
    reason: null,
  };
}

/** Applies one state change of the monitor to `target`: its state, level (and since when) and reason. */
export function applyTransition(target: TargetInfo, transition: StateTransition): void {
  const level = levelOf(target.level, transition.to);
  if (level !== target.level) {
    target.level = level;
    target.sinceMs = Date.parse(transition.at);
  }
  if (level !== 0 && transition.reason) target.reason = transition.reason;
  target.state = transition.to;
  if (!UNSETTLED.has(transition.to)) target.settled = true;
}

/** The targets by host, in the order given. */
export function targetsByHost(targets: Iterable<TargetInfo>): Map<string, TargetInfo[]> {
  const byHost = new Map<string, TargetInfo[]>();
  for (const target of targets) {
    const list = byHost.get(target.host) ?? [];
    list.push(target);
    byHost.set(target.host, list);
  }
  return byHost;
}
