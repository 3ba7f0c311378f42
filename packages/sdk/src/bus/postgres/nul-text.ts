import { FleetError } from '../../errors.ts';
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
  return new FleetError('validation_failed', `\`${field}\` contains a NUL character, which PostgreSQL cannot store`, {
    details: { issues: [{ field, message: 'must not contain the NUL character (U+0000)', code: 'custom' }] },
  });
}

/** Throws `validation_failed` naming the first send field that holds a NUL character. */
export function assertSendsStorable(inputs: SendInput[]): void {
  inputs.forEach((input, index) => {
    if (hasNul(input.type)) throw nulError(`messages.${index}.type`);
    if (input.idempotencyKey !== null && hasNul(input.idempotencyKey)) {
      throw nulError(`messages.${index}.idempotencyKey`);
    }
  });
}

/** Throws `validation_failed` when a nack's reason holds a NUL character. */
export function assertReasonStorable(reason: string | undefined): void {
  if (reason !== undefined && hasNul(reason)) throw nulError('reason');
}
