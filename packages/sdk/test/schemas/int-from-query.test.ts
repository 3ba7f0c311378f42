import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { intFromQuery } from '../../src/schemas/common.ts';

const Query = z.strictObject({
  limit: intFromQuery({ min: 1, max: 500, default: 50 }),
  since: intFromQuery({ min: 0 }),
});

const issues = (input: unknown) => {
  const result = Query.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('intFromQuery', () => {
  test.each([
    [{ limit: '20' }, { limit: 20 }],
    [{ limit: ' 7 ' }, { limit: 7 }],
    [
      { limit: 30, since: '0' },
      { limit: 30, since: 0 },
    ],
    [{}, { limit: 50 }],
  ])('reads %j as %j', (input, output) => {
    expect(Query.parse(input)).toEqual(output);
  });

  test.each([
    ['abc', 'limit: expected an integer, got "abc"'],
    ['', 'limit: expected an integer, got ""'],
    ['1.5', 'limit: expected an integer, got "1.5"'],
    ['1e2', 'limit: expected an integer, got "1e2"'],
    ['0x10', 'limit: expected an integer, got "0x10"'],
    [2.5, 'limit: expected an integer, got 2.5'],
    ['0', 'limit: must be at least 1, got 0'],
    ['501', 'limit: must be at most 500, got 501'],
  ])('refuses %j naming the field and what it got', (limit, message) => {
    expect(issues({ limit })).toEqual([message]);
  });

  test('keeps the JSON Schema of an integer with its bounds and default', () => {
    expect(z.toJSONSchema(Query, { io: 'input' })).toMatchObject({
      properties: {
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
        since: { type: 'integer', minimum: 0 },
      },
    });
    expect(z.toJSONSchema(Query, { io: 'input' }).required).toBeUndefined();
  });
});
