import { DeployError } from '../errors.ts';
import type { Step, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';

/** Options of {@link symlinkStep}. */
export interface SymlinkStepOptions extends StepOptions {
  /** Absolute host path of the link, e.g. `/opt/fleet/bus/current`. */
  path: string;
  /** What it points to, stored as written, e.g. `/opt/fleet/bus/releases/20250101-abc123`. */
  target: string;
}

/**
 * A symlink pointing at `target`. Repointing is atomic (a temp link renamed over the old one, like
 * `ln -s` + `mv -T`): the link is never missing, as it would be between `rm` and `ln`. A file or
 * directory at its path fails the step: it is never removed.
 *
 * @example symlinkStep({ path: '/opt/fleet/bus/current', target: '/opt/fleet/bus/releases/42', notify: 'restart bus' })
 */
export function symlinkStep(options: SymlinkStepOptions): Step {
  return {
    ...stepBase('symlink', `symlink ${options.path}`, options),
    probes: () => [{ path: options.path }],
    async check(context) {
      const found = await context.fact({ path: options.path });
      if (!found.exists) return [{ action: 'create', target: options.path, summary: `create -> ${options.target}` }];
      if (found.type !== 'symlink') {
        throw new DeployError(
          'path_conflict',
          `${options.path} is a ${found.type}, not a symlink: refusing to replace it`,
        );
      }
      if (found.target === options.target) return [];
      return [
        {
          action: 'update',
          target: options.path,
          attribute: 'target',
          summary: `target ${found.target ?? '?'} -> ${options.target}`,
        },
      ];
    },
    async apply(context) {
      await context.executor.symlink(options.target, options.path);
      return undefined;
    },
  };
}
