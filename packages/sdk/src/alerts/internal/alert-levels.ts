import type { TargetState } from '../../schemas/monitor.ts';
import type { AlertEvent, AlertRule } from '../alerts-spec.ts';

/** 0: fine, 1: degraded, 2: down (or over a threshold). */
export type Level = 0 | 1 | 2;

/** A short stable id of a rule's content (FNV-1a over its JSON). */
export function ruleId(rule: AlertRule): string {
  let hash = 0x811c9dc5;
  for (const char of JSON.stringify(rule)) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `r${hash.toString(16)}`;
}

/** The problem level after a transition to `state`: `unknown` and `deploying` keep it, and so does recovering from down. */
export function levelOf(previous: Level, state: TargetState): Level {
  if (state === 'down') return 2;
  if (state === 'up') return 0;
  if (state === 'degraded') return previous === 2 ? 2 : 1;
  return previous;
}

/** A level as far as the rule asks about it: a rule without `degraded` hears of degradation as nothing. */
export function effective(rule: AlertRule, level: Level): Level {
  const wants = (event: AlertEvent) => rule.events.includes(event);
  if (level === 2) return wants('down') ? 2 : wants('degraded') ? 1 : 0;
  if (level === 1) return wants('degraded') ? 1 : 0;
  return 0;
}
