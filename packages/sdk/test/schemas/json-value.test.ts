import { JsonValue } from '@fleet/sdk';
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

  test('checks a deeply nested value without overflowing the stack', () => {
    let deep: JsonValue = 'bottom';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(JsonValue.safeParse(deep).success).toBe(true);
  });

  test.each([10, 31, 32, 33, 100, 200_000])('rejects NaN or a Date %d levels down, in arrays and objects', (depth) => {
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
