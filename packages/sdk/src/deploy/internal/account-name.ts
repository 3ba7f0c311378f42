import { DeployError } from '../errors.ts';

// What useradd and groupadd accept by default on Debian (NAME_REGEX), at most 32 characters.
const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]{0,30}\$?$/;

/** Throws an `invalid_plan` DeployError unless `name` is a user or group name useradd and groupadd accept. */
export function assertAccountName(kind: 'user' | 'group', name: string): void {
  if (!ACCOUNT_NAME.test(name)) {
    throw new DeployError(
      'invalid_plan',
      `Invalid ${kind} name "${name}": lower-case letters, digits, "_" and "-", starting with a letter or "_", at most 32 characters`,
    );
  }
}
