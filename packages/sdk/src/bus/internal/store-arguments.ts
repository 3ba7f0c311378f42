import type { FleetError } from '../../errors.ts';
import { invalidField } from '../../internal/invalid-field.ts';
import { type ExtendInput, MAX_LEASE_SECONDS, type NackInput } from '../../schemas/lease.ts';
import {
  MAX_BATCH_SIZE,
  MAX_DELAY_SECONDS,
  MAX_PRIORITY,
  MAX_TTL_SECONDS,
  MIN_PRIORITY,
  type SendInput,
} from '../../schemas/message.ts';
import type { LeaseRequest } from '../message-store.ts';

// The stores are called directly too (`@fleet/sdk/stores`), without the HTTP layer's schemas: a NaN
// delay or a fractional limit would fail halfway through a write, or be stored. These checks hold
// the numbers to the schemas' bounds before anything changes. They run on every call, so they are
// a few comparisons, not a schema parse; store-arguments.test.ts holds them to the schemas.

const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** `name` as the request body names it: `priority`, or `messages.3.priority` for item 3 of a batch. */
const fieldName = (name: string, item: number | undefined) => (item === undefined ? name : `messages.${item}.${name}`);

/**
 * The `validation_failed` error for a number that failed its check, with the code the schema's
 * issue would have: `invalid_type` for a non-number, NaN, an infinity or (`whole`) a fraction,
 * else `too_big` or `too_small`.
 */
function refusal(field: string, value: unknown, expected: string, whole: boolean, max: number): FleetError {
  const code =
    typeof value !== 'number' || !Number.isFinite(value) || (whole && !Number.isInteger(value))
      ? 'invalid_type'
      : value > max
        ? 'too_big'
        : 'too_small';
  return invalidField(field, `must be ${expected}, got ${shown(value)}`, code);
}

/** A whole number from `min` to `max`. */
function assertInteger(value: number, min: number, max: number, name: string, item?: number): void {
  if (Number.isInteger(value) && value >= min && value <= max) return;
  throw refusal(fieldName(name, item), value, `an integer from ${min} to ${max}`, true, max);
}

/** A number from `min` to `max`. */
function assertNumber(value: number, min: number, max: number, name: string, item?: number): void {
  if (typeof value === 'number' && value >= min && value <= max) return;
  throw refusal(fieldName(name, item), value, `a number from ${min} to ${max}`, false, max);
}

/** A number above 0, at most `max`. */
function assertPositive(value: number, max: number, name: string, item?: number): void {
  if (typeof value === 'number' && value > 0 && value <= max) return;
  throw refusal(fieldName(name, item), value, `a number above 0 and at most ${max}`, false, max);
}

/**
 * A string (or, when allowed, `null` or `undefined`), as the schemas want it. A SQLite group or a
 * PostgreSQL combined statement would fail on anything else at the database, failing the other
 * writes that share it; the memory store would keep it.
 */
function assertString(
  value: unknown,
  name: string,
  item?: number,
  also: { null?: boolean; undefined?: boolean } = {},
): void {
  if (typeof value === 'string' || (value === null && also.null) || (value === undefined && also.undefined)) return;
  const expected = ['a string', also.null ? 'null' : undefined, also.undefined ? 'absent' : undefined]
    .filter(Boolean)
    .join(' or ');
  throw invalidField(fieldName(name, item), `must be ${expected}, got ${shownType(value)}`, 'invalid_type');
}

/** What a value of the wrong type is, for a message: `undefined`, `null`, `a number`, `an object`. */
function shownType(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** JSON has no function, symbol or bigint: a payload that is one would be stored as nothing, or fail the write. */
function assertPayload(payload: unknown, item?: number): void {
  const type = typeof payload;
  if (type !== 'function' && type !== 'symbol' && type !== 'bigint') return;
  throw invalidField(fieldName('payload', item), `must be a JSON value, got ${shownType(payload)}`, 'invalid_type');
}

/**
 * Throws `validation_failed` naming the first field of a send or batch that is not what `SendInput`
 * holds: a string field of another type (`from`, `to`, `topic`, `type`, `idempotencyKey`), a payload
 * JSON cannot hold, or a number outside the bounds (`priority`, `delaySeconds`, `ttlSeconds`), in
 * item order; `batch`: name it as in `POST /messages/batch` (`messages.3.priority`), else as in
 * `POST /message` (`priority`).
 */
export function assertSendArguments(inputs: readonly SendInput[], batch: boolean): void {
  for (let index = 0; index < inputs.length; index++) {
    const input = inputs[index]!;
    const item = batch ? index : undefined;
    assertString(input.from, 'from', item);
    assertString(input.to, 'to', item, { undefined: true });
    assertString(input.topic, 'topic', item, { undefined: true });
    assertString(input.type, 'type', item);
    assertString(input.idempotencyKey, 'idempotencyKey', item, { null: true });
    assertPayload(input.payload, item);
    assertInteger(input.priority, MIN_PRIORITY, MAX_PRIORITY, 'priority', item);
    assertNumber(input.delaySeconds, 0, MAX_DELAY_SECONDS, 'delaySeconds', item);
    if (input.ttlSeconds !== null) assertPositive(input.ttlSeconds, MAX_TTL_SECONDS, 'ttlSeconds', item);
  }
}

/** Throws `validation_failed` unless `agent` is a string and `limit` and `leaseSeconds` are within `ReceiveInput`'s bounds. */
export function assertLeaseArguments(request: LeaseRequest): void {
  assertString(request.agent, 'agent');
  assertInteger(request.limit, 1, MAX_BATCH_SIZE, 'limit');
  assertPositive(request.leaseSeconds, MAX_LEASE_SECONDS, 'leaseSeconds');
}

/** Throws `validation_failed` unless `to` is a string and `limit` is within `PollQuery`'s bounds. */
export function assertPollArguments(to: string, limit: number, maxBytes?: number): void {
  assertString(to, 'to');
  assertInteger(limit, 1, MAX_BATCH_SIZE, 'limit');
  if (maxBytes !== undefined) assertPositive(maxBytes, Number.MAX_SAFE_INTEGER, 'maxBytes');
}

/** Throws `validation_failed` unless a subscription's `agent` and `topic` are strings. */
export function assertSubscriptionArguments(agent: string, topic: string): void {
  assertString(agent, 'agent');
  assertString(topic, 'topic');
}

/** Throws `validation_failed` unless a nack's `delaySeconds` is absent or within `NackInput`'s bounds. */
export function assertNackArguments(input: NackInput): void {
  if (input.delaySeconds !== undefined) assertNumber(input.delaySeconds, 0, MAX_DELAY_SECONDS, 'delaySeconds');
}

/** Throws `validation_failed` unless an extension's `leaseSeconds` is within `ExtendInput`'s bounds. */
export function assertExtendArguments(input: ExtendInput): void {
  assertPositive(input.leaseSeconds, MAX_LEASE_SECONDS, 'leaseSeconds');
}
