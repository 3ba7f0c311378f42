import { FleetError } from '../errors.ts';

/**
 * The `validation_failed` error for one bad field, shaped like a schema failure: `details.issues`,
 * and a message that names the field first (`cursor: not a cursor this list returned`).
 */
export function invalidField(field: string, message: string, code = 'invalid'): FleetError {
  return new FleetError('validation_failed', `${field}: ${message}`, {
    details: { issues: [{ field, message, code }] },
  });
}
