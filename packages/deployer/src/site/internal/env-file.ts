import { DeployError } from '@fleet/sdk/deploy';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The text of a systemd `EnvironmentFile=`: one `NAME="value"` line per variable, sorted, with
 * `\` and `"` escaped. systemd expands nothing in it, so `$` is literal.
 */
export function renderEnvFile(env: Readonly<Record<string, string>>): string {
  const lines = Object.keys(env)
    .sort()
    .map((name) => {
      const value = env[name] ?? '';
      if (!ENV_NAME.test(name)) throw new DeployError('invalid_plan', `"${name}" is no environment variable name`);
      if (/[\n\r\0]/.test(value)) {
        throw new DeployError('invalid_plan', `Environment variable ${name} must be one line`);
      }
      return `${name}="${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    });
  return `# Written by fleet deploy; edit the fleet file instead.\n${lines.join('\n')}\n`;
}
