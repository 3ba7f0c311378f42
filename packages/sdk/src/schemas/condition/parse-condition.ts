import { InvalidConditionError } from './invalid-condition-error.ts';

/** What a condition looks at: the HTTP status, the response time in ms, or the (JSON) body. */
export type ConditionSubject = 'status' | 'response_time' | 'body';

/** A comparison operator of the condition language. */
export type ConditionOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** One step into the body: an object key (`.status`) or an array index (`[0]`). */
export type BodyPathSegment = string | number;

/** A condition parsed once, ready to be evaluated against every probe's answer. */
export interface ParsedCondition {
  /** The condition as written (trimmed): how failures name it. */
  readonly source: string;
  readonly subject: ConditionSubject;
  /** Steps into the JSON body, e.g. `['models', 'length']`; empty for the whole body and other subjects. */
  readonly path: readonly BodyPathSegment[];
  readonly operator: ConditionOperator;
  /** The right-hand side as text, without quotes. */
  readonly expected: string;
  /** The right-hand side as a number, when it is one and was not quoted. */
  readonly expectedNumber: number | null;
}

const SUBJECTS: Record<string, ConditionSubject> = {
  '[STATUS]': 'status',
  '[RESPONSE_TIME]': 'response_time',
  '[BODY]': 'body',
};
// Longest first, so `<=` is not read as `<` followed by `=`.
const OPERATORS: readonly ConditionOperator[] = ['==', '!=', '<=', '>=', '<', '>'];
const OPERATOR_LIST = '==, !=, <, <=, >, >=';
/** A run of the characters operators are made of: what was written where an operator is read. */
const OPERATOR_CHARS = /^[=!<>]+/;
const KEY = /^[A-Za-z0-9_$-]+/;
const INDEX = /^\[(\d+)\]/;

/**
 * Parses one health condition: `<subject> <operator> <value>`, where the subject is `[STATUS]`,
 * `[RESPONSE_TIME]` (milliseconds) or `[BODY]` followed by a path of `.key` and `[index]` steps
 * (`.length` of an array or string is its length), the operator one of `== != < <= > >=`, and the
 * value a number or a string (quote it, `"like this"`, to keep spaces, to compare a number as
 * text, or to start it with `=`, `!`, `<` or `>`: unquoted, that is a mistyped operator such as
 * `===`). Status and response time compare with numbers only, and so do `<`, `<=`, `>`, `>=`.
 * Throws {@link InvalidConditionError} naming the condition and the column of the problem.
 *
 * @example
 * ```ts
 * parseCondition('[BODY].models.length > 0');
 * // { subject: 'body', path: ['models', 'length'], operator: '>', expected: '0', expectedNumber: 0, ... }
 * ```
 */
export function parseCondition(condition: string): ParsedCondition {
  const source = condition.trim();
  const lead = condition.length - condition.trimStart().length;
  const invalid = (offset: number, reason: string) => new InvalidConditionError(condition, lead + offset + 1, reason);
  if (source === '') throw invalid(0, 'the condition is empty');

  const subjectText = /^\[[A-Z_a-z]*\]/.exec(source)?.[0] ?? '';
  const subject = SUBJECTS[subjectText];
  if (subject === undefined) throw invalid(0, 'must start with [STATUS], [RESPONSE_TIME] or [BODY]');
  let at = subjectText.length;

  const path: BodyPathSegment[] = [];
  while (at < source.length && (source[at] === '.' || source[at] === '[')) {
    if (subject !== 'body') throw invalid(at, `${subjectText} has no fields; only [BODY] does`);
    const rest = source.slice(at);
    const index = INDEX.exec(rest);
    if (index) {
      path.push(Number(index[1]));
      at += index[0].length;
      continue;
    }
    const key = rest[0] === '.' ? KEY.exec(rest.slice(1)) : null;
    if (!key)
      throw invalid(at, rest[0] === '.' ? 'expected a field name after "."' : 'expected an array index like [0]');
    path.push(key[0]);
    at += 1 + key[0].length;
  }

  const afterSubject = source.slice(at).trimStart();
  at = source.length - afterSubject.length;
  const operator = OPERATORS.find((candidate) => afterSubject.startsWith(candidate));
  if (operator === undefined) throw invalid(at, `expected an operator (${OPERATOR_LIST})`);
  // `===` would otherwise read as `==` and the value `= ok`, a condition no answer meets.
  const written = OPERATOR_CHARS.exec(afterSubject)?.[0] ?? operator;
  if (written !== operator) throw invalid(at, `"${written}" is not an operator; the operators are ${OPERATOR_LIST}`);
  at += operator.length;

  const raw = source.slice(at).trim();
  if (raw === '') throw invalid(source.length, `expected a value after ${operator}`);
  const quoted = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.at(-1) === raw[0];
  const expected = quoted ? raw.slice(1, -1) : raw;
  const expectedNumber = quoted ? null : toNumber(expected);
  const valueAt = source.length - raw.length;
  if (!quoted && OPERATOR_CHARS.test(raw)) {
    throw invalid(
      valueAt,
      `a value starting with "${raw[0]}" must be quoted ("${raw}"); the operators are ${OPERATOR_LIST}`,
    );
  }
  if (expectedNumber === null && subject !== 'body') throw invalid(valueAt, `${subjectText} compares with a number`);
  if (expectedNumber === null && operator !== '==' && operator !== '!=') {
    throw invalid(valueAt, `${operator} compares with a number`);
  }
  return { source, subject: subject, path, operator: operator, expected, expectedNumber };
}

/** A finite number written as plain decimal text, else null (`''`, `0x1f`, `1e999` are not numbers here). */
export function toNumber(text: string): number | null {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}
