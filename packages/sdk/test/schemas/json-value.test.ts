import { JsonValue, MAX_JSON_DEPTH } from '@fleet/sdk';
import { describe, expect, test } from 'vitest';

describe('JsonValue', () => {
  test.each([
    ['a string', 'hi'],
    ['a number', -1.5],
    ['a boolean', false],
    ['null', null],
    ['nested arrays and objects', { a: [1, 'two', { three: [null, true] }], b: {} }],
    ['an object without a prototype', Object.assign(Object.create(null), { a: 1 })],
  ])('accepts %s', (_name, value) => {
    expect(JsonValue.safeParse(value).success).toBe(true);
  });

  test.each([
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a function', () => 1],
    ['a bigint', 1n],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['undefined inside an array', [1, undefined]],
    ['NaN deep inside an object', { a: { b: [{ c: Number.NaN }] } }],
    ['a class instance inside an object', { when: new Date(0) }],
  ])('rejects %s', (_name, value) => {
    const result = JsonValue.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/JSON value/);
  });

  /** `value` wrapped in `levels` arrays or objects. */
  function nested(levels: number, kind: 'arrays' | 'objects', value: JsonValue = 'bottom'): JsonValue {
    let deep = value;
    for (let i = 0; i < levels; i++) deep = kind === 'arrays' ? [deep] : { next: deep };
    return deep;
  }

  test.each(['arrays', 'objects'] as const)('accepts %s nested exactly MAX_JSON_DEPTH levels deep', (kind) => {
    expect(MAX_JSON_DEPTH).toBe(128);
    expect(JsonValue.safeParse(nested(MAX_JSON_DEPTH, kind)).success).toBe(true);
    expect(JsonValue.safeParse(nested(MAX_JSON_DEPTH, kind, [])).success).toBe(false);
  });

  test.each([MAX_JSON_DEPTH + 1, 20_000, 200_000])(
    'refuses %d levels of arrays or objects as too deep, without overflowing the stack',
    (levels) => {
      for (const kind of ['arrays', 'objects'] as const) {
        const result = JsonValue.safeParse(nested(levels, kind));
        expect(result.success).toBe(false);
        expect(result.error?.issues[0]?.message).toBe(
          `must be a JSON value nested at most ${MAX_JSON_DEPTH} levels deep (arrays and objects)`,
        );
      }
    },
  );

  test('a too deep value skips the refinements after it, which may serialize it', () => {
    const stringified = JsonValue.refine((value) => JSON.stringify(value).length < 10, 'too long');
    const result = stringified.safeParse(nested(100_000, 'arrays'));
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      `must be a JSON value nested at most ${MAX_JSON_DEPTH} levels deep (arrays and objects)`,
    ]);
  });

  test.each([10, 31, 32, 33, 100, 127])('rejects NaN or a Date %d levels down, in arrays and objects', (depth) => {
    for (const bad of [Number.NaN, new Date(0)]) {
      let inArrays: unknown = bad;
      let inObjects: unknown = bad;
      for (let i = 0; i < depth; i++) {
        inArrays = [1, inArrays];
        inObjects = { ok: 'yes', next: inObjects };
      }
      expect(JsonValue.safeParse(inArrays).success).toBe(false);
      expect(JsonValue.safeParse(inObjects).success).toBe(false);
    }
  });
});
