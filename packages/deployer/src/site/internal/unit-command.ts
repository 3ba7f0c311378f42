import { systemdCommandWord } from '@fleet/sdk/deploy';

/**
 * A systemd command line: `literal` words taken as they are, then `expanded` words written as
 * given (e.g. `${PORT}`, which systemd fills from the unit's environment).
 */
export function unitCommand(literal: readonly string[], expanded: readonly string[] = []): string {
  return [...literal.map(systemdCommandWord), ...expanded].join(' ');
}
