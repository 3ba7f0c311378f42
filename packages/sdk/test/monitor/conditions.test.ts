import { describe, expect, test } from 'vitest';
import { evaluateConditions, type ProbeAnswer } from '../../src/monitor/condition/evaluate-conditions.ts';
import { InvalidConditionError } from '../../src/schemas/condition/invalid-condition-error.ts';
import { parseCondition } from '../../src/schemas/condition/parse-condition.ts';

const answer = (overrides: Partial<ProbeAnswer> = {}): ProbeAnswer => ({
  status: 200,
  responseTimeMs: 42,
  body: { status: 'ok' },
  ...overrides,
});

/** The failure messages of `conditions` against `probe`. */
function failures(conditions: string[], probe: ProbeAnswer): string[] {
  return evaluateConditions(conditions.map(parseCondition), probe).map((failure) => failure.message);
}

function parseError(condition: string): InvalidConditionError {
  try {
    parseCondition(condition);
  } catch (error) {
    if (error instanceof InvalidConditionError) return error;
    throw error;
  }
  throw new Error(`expected ${condition} not to parse`);
}

describe('parseCondition', () => {
  test('reads subject, body path, operator and value', () => {
    expect(parseCondition('[BODY].a.b[0].c != x')).toMatchObject({
      subject: 'body',
      path: ['a', 'b', 0, 'c'],
      operator: '!=',
      expected: 'x',
      expectedNumber: null,
    });
    expect(parseCondition('  [RESPONSE_TIME]<=300 ')).toMatchObject({
      source: '[RESPONSE_TIME]<=300',
      subject: 'response_time',
      operator: '<=',
      expectedNumber: 300,
    });
    expect(parseCondition('[BODY].models.length > 0')).toMatchObject({ path: ['models', 'length'], expectedNumber: 0 });
    expect(parseCondition('[BODY] == pong')).toMatchObject({ subject: 'body', path: [], expected: 'pong' });
  });

  test('a quoted value keeps its spaces and stays text', () => {
    expect(parseCondition('[BODY].message == "all good"')).toMatchObject({
      expected: 'all good',
      expectedNumber: null,
    });
    expect(parseCondition("[BODY].version == '2'")).toMatchObject({ expected: '2', expectedNumber: null });
  });

  test.each([
    ['', 1, 'the condition is empty'],
    ['STATUS == 200', 1, 'must start with [STATUS], [RESPONSE_TIME] or [BODY]'],
    ['[status] == 200', 1, 'must start with [STATUS], [RESPONSE_TIME] or [BODY]'],
    ['[STATUS] = 200', 10, 'expected an operator (==, !=, <, <=, >, >=)'],
    ['[STATUS] ==', 12, 'expected a value after =='],
    ['[STATUS] == ok', 13, '[STATUS] compares with a number'],
    ['[RESPONSE_TIME] < fast', 19, '[RESPONSE_TIME] compares with a number'],
    ['[BODY].status > ok', 17, '> compares with a number'],
    ['[BODY]. == 1', 7, 'expected a field name after "."'],
    ['[BODY].a[x] == 1', 9, 'expected an array index like [0]'],
    ['[STATUS].code == 200', 9, '[STATUS] has no fields; only [BODY] does'],
    ['[BODY].status === ok', 15, '"===" is not an operator; the operators are ==, !=, <, <=, >, >='],
    ['[BODY].status !== ok', 15, '"!==" is not an operator; the operators are ==, !=, <, <=, >, >='],
    ['[RESPONSE_TIME] <== 300', 17, '"<==" is not an operator; the operators are ==, !=, <, <=, >, >='],
    ['[STATUS] >> 200', 10, '">>" is not an operator; the operators are ==, !=, <, <=, >, >='],
    [
      '[BODY].status == =ok',
      18,
      'a value starting with "=" must be quoted ("=ok"); the operators are ==, !=, <, <=, >, >=',
    ],
  ])('%j is refused at column %i: %s', (condition, column, reason) => {
    const error = parseError(condition);
    expect(error.column).toBe(column);
    expect(error.reason).toBe(reason);
    expect(error.message).toBe(`invalid condition ${JSON.stringify(condition)} at column ${column}: ${reason}`);
  });

  test('a value that starts like an operator is accepted when quoted', () => {
    expect(parseCondition('[BODY].status == "= ok"')).toMatchObject({ operator: '==', expected: '= ok' });
    expect(parseCondition("[BODY].tag != '<none>'")).toMatchObject({ operator: '!=', expected: '<none>' });
    expect(parseCondition('[BODY].delta > -1')).toMatchObject({ operator: '>', expectedNumber: -1 });
  });

  test('the column counts leading spaces of the condition as written', () => {
    expect(parseError('   [STATUS] =! 200').column).toBe(13);
  });
});

describe('evaluateConditions', () => {
  test('all conditions holding gives no failures', () => {
    const conditions = [
      '[STATUS] == 200',
      '[STATUS] < 500',
      '[BODY].status == ok',
      '[BODY].models.length > 0',
      '[BODY].a.b[0].c != x',
      '[RESPONSE_TIME] < 300',
    ];
    const body = { status: 'ok', models: [{ name: 'llama3' }], a: { b: [{ c: 'y' }] } };
    expect(failures(conditions, answer({ body }))).toEqual([]);
  });

  test('a failed condition says what it got', () => {
    expect(failures(['[BODY].status == ok'], answer({ body: { status: 'degraded' } }))).toEqual([
      '[BODY].status == ok: got "degraded"',
    ]);
    expect(
      failures(['[STATUS] == 200', '[RESPONSE_TIME] < 300'], answer({ status: 503, responseTimeMs: 512.4 })),
    ).toEqual(['[STATUS] == 200: got 503', '[RESPONSE_TIME] < 300: got 512']);
    expect(failures(['[BODY].models.length > 0'], answer({ body: { models: [] } }))).toEqual([
      '[BODY].models.length > 0: got 0',
    ]);
  });

  test('a missing field, a text body and an unread body fail with their reason', () => {
    expect(failures(['[BODY].a.b[2].c == x'], answer({ body: { a: { b: [{ c: 'x' }] } } }))).toEqual([
      '[BODY].a.b[2].c == x: got nothing (no such field)',
    ]);
    expect(failures(['[BODY].status == ok'], answer({ body: 'OK' }))).toEqual([
      '[BODY].status == ok: the body is not JSON',
    ]);
    expect(
      failures(['[BODY] == ok'], answer({ body: undefined, bodyProblem: 'body larger than 1048576 bytes' })),
    ).toEqual(['[BODY] == ok: body larger than 1048576 bytes']);
  });

  test('numbers compare as numbers, also when the body carries them as strings', () => {
    expect(
      failures(['[BODY].n > 9', '[BODY].s > 9', '[BODY].n == 10.0'], answer({ body: { n: 10, s: '10' } })),
    ).toEqual([]);
    expect(failures(['[BODY].s < 9'], answer({ body: { s: 'ten' } }))).toEqual(['[BODY].s < 9: got "ten"']);
  });

  test('text equality matches strings and the JSON literals, never objects', () => {
    const body = { flag: true, none: null, text: 'ok', nested: { x: 1 } };
    expect(failures(['[BODY].flag == true', '[BODY].none == null', '[BODY].text != ko'], answer({ body }))).toEqual([]);
    expect(failures(['[BODY].nested == x'], answer({ body }))).toEqual(['[BODY].nested == x: got an object']);
    expect(failures(['[BODY].nested != x'], answer({ body }))).toEqual([]);
    expect(failures(['[BODY] == pong'], answer({ body: 'pong' }))).toEqual([]);
  });

  test('a quoted number compares as text', () => {
    expect(failures(['[BODY].v == "1.0"'], answer({ body: { v: 1 } }))).toEqual(['[BODY].v == "1.0": got 1']);
    expect(failures(['[BODY].v == "1.0"'], answer({ body: { v: '1.0' } }))).toEqual([]);
  });

  test('.length of a string is its length; a key named length on an object is that key', () => {
    expect(
      failures(['[BODY].s.length == 3', '[BODY].o.length == 7'], answer({ body: { s: 'abc', o: { length: 7 } } })),
    ).toEqual([]);
  });
});
