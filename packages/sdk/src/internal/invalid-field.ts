import { FleetError } from '../errors.ts';

/** The `validation_failed` error for one bad field, shaped like a schema failure (`details.issues`). */
export function invalidField(field: string, message: string, code = 'invalid'): FleetError {
  return new FleetError('validation_failed', `Invalid ${field}: ${message}`, {
    details: { issues: [{ field, message, code }] },
  });
}
