import { DeployError, systemdCommandWord } from '@fleet/sdk/deploy';
import { envTemplateAt, type Fleet, fleetEnvironment } from '@fleet/sdk/fleet';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A wizard's `exec` as an `ExecStart=` line, and the variables that line expands. */
export interface ExecCommand {
  execStart: string;
  /** The values of the `${NAME}` references of `exec`, for the wizard's environment file (0600). */
  env: Record<string, string>;
}

/**
 * A wizard's `exec` as a systemd command line. A word the fleet file wrote with `${NAME}`
 * references keeps them, for systemd to fill from the wizard's environment file as part of the
 * same word, with the rest of it escaped: the unit file (0644) never holds the values, which go to
 * the environment file. Refused (a DeployError) where the wizard's environment (its `env:` or
 * what Fleet sets, such as `PORT`) already has the variable with another value: systemd would
 * pass that one.
 */
export function execCommand(
  fleet: Fleet,
  wizard: string,
  exec: readonly string[],
  env: Readonly<Record<string, string>>,
): ExecCommand {
  const values = fleetEnvironment(fleet);
  const own = fleet.wizards[wizard]?.env ?? {};
  const expanded: Record<string, string> = {};
  const words = exec.map((word, index) => {
    const parts = envTemplateAt(fleet, ['wizards', wizard, 'exec', index]);
    if (parts === undefined) return systemdCommandWord(word);
    const where = `wizards.${wizard}.exec[${index}]`;
    for (const part of parts) {
      if (typeof part === 'string') continue;
      const name = part.variable;
      const value = values[name];
      if (!ENV_NAME.test(name) || value === undefined) {
        throw new DeployError(
          'invalid_plan',
          `${where}: "\${${name}}" is no environment variable the file was loaded with`,
        );
      }
      const set = env[name];
      if (set !== undefined && set !== value) {
        const by = name in own ? `its env.${name}` : `Fleet's own ${name}`;
        throw new DeployError(
          'invalid_plan',
          `${where} references \${${name}}, which the wizard's environment sets to another value (${by}): systemd fills \${${name}} in the command line from that environment. Reference a variable of another name, or give env.${name} the same value`,
        );
      }
      expanded[name] = value;
    }
    return systemdCommandWord(parts);
  });
  return { execStart: words.join(' '), env: expanded };
}
