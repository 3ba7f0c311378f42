import { DeployError } from '../errors.ts';

/** `0o644` as people write it: `0644`. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/** Permission bits from a number (`0o640`) or an octal string (`'0640'`, `'640'`). */
export function parseMode(mode: number | string): number {
  const value = typeof mode === 'number' ? mode : /^[0-7]{3,4}$/.test(mode) ? Number.parseInt(mode, 8) : Number.NaN;
  if (!Number.isInteger(value) || value < 0 || value > 0o7777) {
    throw new DeployError('invalid_plan', `Invalid file mode ${String(mode)}: expected e.g. 0o640 or '0640'`);
  }
  return value;
}
