import type { FleetError } from '../../errors.ts';
import { invalidField } from '../../internal/invalid-field.ts';
import type { SendInput } from '../../schemas/message.ts';

/**
 * PostgreSQL's `text` cannot hold the NUL character (U+0000); the schemas let a few free-text fields
 * carry it. (JSON values can: `json` stores it escaped.) A lookup by such a string finds nothing
 * here, as in the other stores, and a write of one is a validation error instead of a failed query.
 */
export function hasNul(value: string): boolean {
  return value.includes('\u0000');
}

function nulError(field: string): FleetError {
  return invalidField(field, 'must not contain the NUL character (U+0000), which PostgreSQL cannot store', 'custom');
}

/**
 * Throws `validation_failed` naming the first send field that holds a NUL character: `type` for a
 * single send, `messages.3.type` in a batch (as the request bodies name them).
 */
export function assertSendsStorable(inputs: SendInput[], batch = true): void {
  inputs.forEach((input, index) => {
    const prefix = batch ? `messages.${index}.` : '';
    if (hasNul(input.type)) throw nulError(`${prefix}type`);
    if (input.idempotencyKey !== null && hasNul(input.idempotencyKey)) throw nulError(`${prefix}idempotencyKey`);
  });
}

/** Throws `validation_failed` when a nack's reason holds a NUL character. */
export function assertReasonStorable(reason: string | undefined): void {
  if (reason !== undefined && hasNul(reason)) throw nulError('reason');
}
