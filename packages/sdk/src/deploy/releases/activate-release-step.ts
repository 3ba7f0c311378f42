import { DeployError } from '../errors.ts';
import type { Step, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';
import { activateRelease } from './activate-release.ts';
import { linkPaths, releaseOfTarget } from './internal/release-links.ts';
import { assertReleaseId } from './release-id.ts';
import { markReleaseUnverified } from './unverified-release.ts';

/** Options of {@link activateReleaseStep}. */
export interface ActivateReleaseStepOptions extends StepOptions {
  /** The service's base directory, e.g. `/opt/fleet/bus`. */
  base: string;
  /** The release to make current; its directory is usually filled by earlier steps of the plan. */
  id: string;
  /**
   * The release must pass a health gate before it counts as verified: before `current` is swapped,
   * `<base>/unverified.json` records it with the last verified release ({@link markReleaseUnverified}),
   * so that a run killed before its gate leaves a host the next run knows to gate and, when the gate
   * fails, to roll back to the last verified release. Remove the mark with `clearUnverifiedRelease`.
   * @default false
   */
  gated?: boolean;
}

/**
 * A step that makes release `id` current ({@link activateRelease}): its check finds nothing to
 * do when `current` already points to it, else one change, the swap. The release's directory
 * need not exist when the check runs (plan mode, before the steps that fill it), only when it is
 * applied. With `gated`, the swap is recorded as unverified first (see {@link markReleaseUnverified}).
 *
 * @example activateReleaseStep({ base: '/opt/fleet/bus', id, notify: 'restart bus' })
 */
export function activateReleaseStep(options: ActivateReleaseStepOptions): Step {
  assertReleaseId(options.id);
  const { current } = linkPaths(options.base);
  return {
    ...stepBase('release', `activate release ${options.id}`, options),
    probes: () => [{ path: current }],
    async check(context) {
      const found = await context.fact({ path: current });
      if (!found.exists) return [{ action: 'create', target: current, summary: `create -> releases/${options.id}` }];
      if (found.type !== 'symlink') {
        throw new DeployError('path_conflict', `${current} is a ${found.type}, not a symlink: refusing to replace it`);
      }
      const from = releaseOfTarget(options.base, found.target);
      if (from === options.id) return [];
      return [
        {
          action: 'update',
          target: current,
          attribute: 'target',
          summary: `release ${from ?? found.target ?? '?'} -> ${options.id}`,
        },
      ];
    },
    async apply(context) {
      if (options.gated) await markReleaseUnverified(context.executor, options.base, options.id);
      await activateRelease(context.executor, options.base, options.id);
      return undefined;
    },
  };
}
