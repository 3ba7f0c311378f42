import { DeployError } from '../errors.ts';
import { commandFailure, runChecked } from '../internal/run-checked.ts';
import type { Step, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';

/** Options of {@link packagesStep}. */
export interface PackagesStepOptions extends StepOptions {
  /** Debian package names that must be installed, e.g. `['nodejs', 'git']`. */
  packages: readonly string[];
  /** Run `apt-get update` before installing (only when something is missing). @default false */
  updateCache?: boolean;
  /** Timeout of the install. @default the executor's (300 s) */
  timeoutMs?: number;
}

// Debian policy's package names: lower case, digits, + - . ; two characters at least.
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** Which of `packages` dpkg reports as installed, from `dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n'`. */
function installedOf(stdout: string): Set<string> {
  const installed = new Set<string>();
  for (const line of stdout.split('\n')) {
    const [name, status] = line.trim().split(' ');
    // The abbreviation's second letter is the state: `i` installed (`ii `, `hi `); `c` only config files left.
    if (name && status?.[1] === 'i') installed.add(name.split(':')[0] ?? name);
  }
  return installed;
}

/**
 * Debian packages that are installed. Its check is one `dpkg-query` for all of them; its apply
 * installs the missing ones with one `apt-get install -y --no-install-recommends` (non-interactive),
 * after `apt-get update` when `updateCache` is set. Installed packages are never upgraded.
 *
 * @example packagesStep({ packages: ['nodejs', 'git'], updateCache: true })
 */
export function packagesStep(options: PackagesStepOptions): Step {
  const bad = options.packages.filter((name) => !PACKAGE_NAME.test(name));
  if (options.packages.length === 0 || bad.length > 0) {
    throw new DeployError(
      'invalid_plan',
      options.packages.length === 0
        ? 'Packages step: give at least one package'
        : `Packages step: invalid Debian package names: ${bad.join(', ')}`,
    );
  }
  const missingOf = async (context: Parameters<Step['check']>[0]): Promise<string[]> => {
    const command = ['dpkg-query', '-W', `-f=\${Package} \${db:Status-Abbrev}\\n`, ...options.packages];
    const result = await context.executor.run(command);
    // dpkg-query exits 1 when it knows none of some names, and still lists the others.
    if (result.exitCode !== 0 && result.exitCode !== 1) throw commandFailure(command, result);
    const installed = installedOf(result.stdout);
    return options.packages.filter((name) => !installed.has(name));
  };
  return {
    ...stepBase('packages', `packages ${options.packages.join(' ')}`, options),
    async check(context) {
      const missing = await missingOf(context);
      return missing.map((name) => ({ action: 'create', target: `package ${name}`, summary: `install ${name}` }));
    },
    async apply(context, planned) {
      const missing =
        planned === 'may change'
          ? [...options.packages]
          : planned.map((change) => change.target.slice('package '.length));
      const env = { DEBIAN_FRONTEND: 'noninteractive' };
      const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
      let output = '';
      if (options.updateCache === true) {
        output += (await runChecked(context, ['apt-get', 'update'], { env, ...timeout })).output;
      }
      const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...missing];
      output += (await runChecked(context, install, { env, ...timeout })).output;
      return { output };
    },
  };
}
