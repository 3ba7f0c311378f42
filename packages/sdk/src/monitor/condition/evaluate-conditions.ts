import type { ConditionSubject, ParsedCondition } from '../../schemas/condition/parse-condition.ts';
import { toNumber } from '../../schemas/condition/parse-condition.ts';

/** What a probe got back, as the conditions see it. */
export interface ProbeAnswer {
  /** The HTTP status. */
  status: number;
  /** Milliseconds from sending the request to the end of the body. */
  responseTimeMs: number;
  /**
   * The body: parsed JSON when it was JSON, else its text; `undefined` when it was not read
   * (too large, or the connection broke while reading).
   */
  body: unknown;
  /** Why the body is `undefined`, e.g. `body larger than 1048576 bytes`. */
  bodyProblem?: string;
}

/** A condition that did not hold, and why. */
export interface ConditionFailure {
  /** The condition as written. */
  condition: string;
  subject: ConditionSubject;
  /** `[BODY].status == ok: got "degraded"`. */
  message: string;
}

const MISSING = Symbol('missing');

/**
 * Evaluates parsed conditions against an answer; returns the ones that failed, in order (empty
 * when every condition held). Numbers compare as numbers (a numeric string in the body counts as
 * its number); `==` and `!=` compare anything else as text, with `true`, `false` and `null`
 * matching the JSON literals.
 *
 * @example
 * ```ts
 * const conditions = ['[STATUS] == 200', '[BODY].status == ok'].map(parseCondition);
 * evaluateConditions(conditions, { status: 200, responseTimeMs: 12, body: { status: 'degraded' } });
 * // [{ condition: '[BODY].status == ok', subject: 'body', message: '[BODY].status == ok: got "degraded"' }]
 * ```
 */
export function evaluateConditions(conditions: readonly ParsedCondition[], answer: ProbeAnswer): ConditionFailure[] {
  const failures: ConditionFailure[] = [];
  for (const condition of conditions) {
    const problem = check(condition, answer);
    if (problem !== null) {
      failures.push({
        condition: condition.source,
        subject: condition.subject,
        message: `${condition.source}: ${problem}`,
      });
    }
  }
  return failures;
}

/** Why `condition` does not hold for `answer`, or null when it does. */
function check(condition: ParsedCondition, answer: ProbeAnswer): string | null {
  let actual: unknown;
  if (condition.subject === 'status') actual = answer.status;
  else if (condition.subject === 'response_time') actual = Math.round(answer.responseTimeMs);
  else {
    if (answer.body === undefined) return answer.bodyProblem ?? 'no body';
    if (condition.path.length > 0 && typeof answer.body === 'string') return 'the body is not JSON';
    actual = select(answer.body, condition.path);
    if (actual === MISSING) return 'got nothing (no such field)';
  }
  return compare(actual, condition) ? null : `got ${describe(actual)}`;
}

/** Follows `path` into a JSON value; `length` of an array or string is its length. */
function select(value: unknown, path: ParsedCondition['path']): unknown {
  let current = value;
  for (const segment of path) {
    if (segment === 'length' && (Array.isArray(current) || typeof current === 'string')) current = current.length;
    else if (typeof segment === 'number' && Array.isArray(current) && segment < current.length)
      current = current[segment];
    else if (
      typeof segment === 'string' &&
      typeof current === 'object' &&
      current !== null &&
      !Array.isArray(current) &&
      Object.hasOwn(current, segment)
    ) {
      current = (current as Record<string, unknown>)[segment];
    } else return MISSING;
  }
  return current;
}

function compare(actual: unknown, condition: ParsedCondition): boolean {
  const { operator, expected, expectedNumber } = condition;
  const number = typeof actual === 'number' ? actual : typeof actual === 'string' ? toNumber(actual) : null;
  if (expectedNumber !== null && number !== null) {
    switch (operator) {
      case '==':
        return number === expectedNumber;
      case '!=':
        return number !== expectedNumber;
      case '<':
        return number < expectedNumber;
      case '<=':
        return number <= expectedNumber;
      case '>':
        return number > expectedNumber;
      case '>=':
        return number >= expectedNumber;
    }
  }
  if (operator !== '==' && operator !== '!=') return false;
  const text =
    typeof actual === 'string'
      ? actual
      : typeof actual === 'boolean' || actual === null || typeof actual === 'number'
        ? String(actual)
        : undefined;
  const equal = text !== undefined && text === expected;
  return operator === '==' ? equal : !equal;
}

/** A value in a failure message: strings quoted, containers summarized. */
function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
