import { describe, expect, test } from 'vitest';
import {
  assertExtendArguments,
  assertLeaseArguments,
  assertNackArguments,
  assertPollArguments,
  assertSendArguments,
} from '../src/bus/internal/store-arguments.ts';
import { isFleetError } from '../src/errors.ts';
import { ExtendInput, MAX_LEASE_SECONDS, NackInput, ReceiveInput } from '../src/schemas/lease.ts';
import {
  BatchSendInput,
  MAX_BATCH_SIZE,
  MAX_DELAY_SECONDS,
  MAX_TTL_SECONDS,
  PollQuery,
  SendInput,
} from '../src/schemas/message.ts';

/** Around every bound the schemas set, and what no bound lets through. */
const BOUNDARY_VALUES: unknown[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -Number.MAX_VALUE,
  -101,
  -100,
  -99.5,
  -1,
  -Number.MIN_VALUE,
  -0,
  0,
  Number.MIN_VALUE,
  0.5,
  1,
  1.5,
  2,
  99,
  100,
  100.5,
  101,
  MAX_LEASE_SECONDS - 0.5,
  MAX_LEASE_SECONDS,
  MAX_LEASE_SECONDS + 0.001,
  MAX_LEASE_SECONDS + 1,
  MAX_DELAY_SECONDS,
  MAX_DELAY_SECONDS + 0.001,
  MAX_DELAY_SECONDS + 1,
  MAX_TTL_SECONDS,
  MAX_TTL_SECONDS + 0.001,
  MAX_TTL_SECONDS + 1,
  Number.MAX_SAFE_INTEGER,
  2 ** 53,
  Number.MAX_VALUE,
  // Wrong types: a JavaScript caller is not held to the TypeScript signature.
  '1',
  null,
  true,
];

/** What a check decided: accepted, or the first issue's field and code. */
type Verdict = 'accepted' | { field: string; code: string };

function schemaVerdict(result: { success: boolean; error?: { issues: { path: PropertyKey[]; code: string }[] } }) {
  if (result.success) return 'accepted';
  const issue = result.error!.issues[0]!;
  return { field: issue.path.map(String).join('.'), code: issue.code };
}

function handVerdict(check: () => void): Verdict {
  try {
    check();
    return 'accepted';
  } catch (error) {
    if (!isFleetError(error) || error.code !== 'validation_failed') throw error;
    const [issue] = (error.details as { issues: { field: string; code: string }[] }).issues;
    expect(error.message.startsWith(`${issue!.field}: `), error.message).toBe(true);
    return { field: issue!.field, code: issue!.code };
  }
}

const send = SendInput.parse({ from: 'a', to: 'b' });

/**
 * One numeric argument: how the schema the HTTP layer uses judges a value, and how the store's hand
 * check judges it. `withUndefined`: `undefined` is compared too; not where the schema fills in a
 * default, as the store is given the parsed value, never `undefined`.
 */
const FIELDS: Array<{
  name: string;
  schema: (v: unknown) => Verdict;
  hand: (v: unknown) => Verdict;
  withUndefined?: true;
}> = [
  {
    name: 'send priority',
    schema: (v) => schemaVerdict(SendInput.safeParse({ from: 'a', to: 'b', priority: v })),
    hand: (v) => handVerdict(() => assertSendArguments([{ ...send, priority: v as number }], false)),
  },
  {
    name: 'send delaySeconds',
    schema: (v) => schemaVerdict(SendInput.safeParse({ from: 'a', to: 'b', delaySeconds: v })),
    hand: (v) => handVerdict(() => assertSendArguments([{ ...send, delaySeconds: v as number }], false)),
  },
  {
    name: 'send ttlSeconds',
    schema: (v) => schemaVerdict(SendInput.safeParse({ from: 'a', to: 'b', ttlSeconds: v })),
    hand: (v) => handVerdict(() => assertSendArguments([{ ...send, ttlSeconds: v as number }], false)),
  },
  {
    name: 'batch item priority',
    schema: (v) => schemaVerdict(BatchSendInput.safeParse({ messages: [send, { ...send, priority: v }] })),
    hand: (v) => handVerdict(() => assertSendArguments([send, { ...send, priority: v as number }], true)),
  },
  {
    name: 'batch item ttlSeconds',
    schema: (v) => schemaVerdict(BatchSendInput.safeParse({ messages: [{ ...send, ttlSeconds: v }, send] })),
    hand: (v) => handVerdict(() => assertSendArguments([{ ...send, ttlSeconds: v as number }, send], true)),
  },
  {
    name: 'lease limit',
    schema: (v) => schemaVerdict(ReceiveInput.safeParse({ agent: 'b', limit: v })),
    hand: (v) => handVerdict(() => assertLeaseArguments({ agent: 'b', limit: v as number, leaseSeconds: 30 })),
  },
  {
    name: 'lease leaseSeconds',
    schema: (v) => schemaVerdict(ReceiveInput.safeParse({ agent: 'b', leaseSeconds: v })),
    hand: (v) => handVerdict(() => assertLeaseArguments({ agent: 'b', limit: 1, leaseSeconds: v as number })),
  },
  {
    name: 'poll limit',
    // The query string's integer text aside (the store takes a number), PollQuery's bounds.
    schema: (v) =>
      typeof v === 'string'
        ? { field: 'limit', code: 'invalid_type' }
        : schemaVerdict(PollQuery.safeParse({ to: 'b', limit: v })),
    hand: (v) => handVerdict(() => assertPollArguments('b', v as number)),
  },
  {
    name: 'nack delaySeconds',
    schema: (v) => schemaVerdict(NackInput.safeParse({ receipt: 'r', delaySeconds: v })),
    hand: (v) => handVerdict(() => assertNackArguments({ receipt: 'r', delaySeconds: v as number })),
    withUndefined: true,
  },
  {
    name: 'extend leaseSeconds',
    schema: (v) => schemaVerdict(ExtendInput.safeParse({ receipt: 'r', leaseSeconds: v })),
    hand: (v) => handVerdict(() => assertExtendArguments({ receipt: 'r', leaseSeconds: v as number })),
    withUndefined: true,
  },
];

describe("the stores' hand checks of numbers accept and refuse exactly what the schemas do", () => {
  test.each(FIELDS)('$name', ({ schema, hand, withUndefined }) => {
    const values = withUndefined ? [...BOUNDARY_VALUES, undefined] : BOUNDARY_VALUES;
    const table = values.map((value) => ({ value, schema: schema(value), hand: hand(value) }));
    expect(table.filter((row) => JSON.stringify(row.schema) !== JSON.stringify(row.hand))).toEqual([]);
    // The table reaches both sides of the bounds.
    expect(table.some((row) => row.hand === 'accepted')).toBe(true);
    expect(table.some((row) => row.hand !== 'accepted')).toBe(true);
  });

  test('the lease and poll limit is the largest batch', () => {
    expect(handVerdict(() => assertPollArguments('b', MAX_BATCH_SIZE))).toBe('accepted');
    expect(handVerdict(() => assertPollArguments('b', MAX_BATCH_SIZE + 1))).toEqual({
      field: 'limit',
      code: 'too_big',
    });
  });

  test('the message says what the field must be and what it got', () => {
    expect(() => assertSendArguments([send, { ...send, priority: 1.5 }], true)).toThrow(
      'messages.1.priority: must be an integer from -100 to 100, got 1.5',
    );
    expect(() => assertLeaseArguments({ agent: 'b', limit: 1, leaseSeconds: Number.NaN })).toThrow(
      `leaseSeconds: must be a number above 0 and at most ${MAX_LEASE_SECONDS}, got NaN`,
    );
    expect(() => assertNackArguments({ receipt: 'r', delaySeconds: -1 })).toThrow(
      `delaySeconds: must be a number from 0 to ${MAX_DELAY_SECONDS}, got -1`,
    );
  });
});
