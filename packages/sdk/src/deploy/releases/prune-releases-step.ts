import type { Step, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';
import { listReleases } from './list-releases.ts';
import { DEFAULT_KEEP_RELEASES, pruneReleases, releasesToPrune } from './prune-releases.ts';

/** Options of {@link pruneReleasesStep}. */
export interface PruneReleasesStepOptions extends StepOptions {
  /** The service's base directory, e.g. `/opt/fleet/bus`. */
  base: string;
  /** How many of the newest releases to keep; the current and previous ones are kept on top. @default 5 */
  keep?: number;
}

/**
 * A step that removes old releases ({@link pruneReleases}). Its check lists, with one read-only
 * command, each release that would be removed as a change; none when there are at most `keep`
 * besides the current and previous ones.
 *
 * @example pruneReleasesStep({ base: '/opt/fleet/bus', keep: 5 })
 */
export function pruneReleasesStep(options: PruneReleasesStepOptions): Step {
  const keep = options.keep ?? DEFAULT_KEEP_RELEASES;
  return {
    ...stepBase('prune-releases', `prune releases of ${options.base}`, options),
    async check(context) {
      const list = await listReleases(context.executor, options.base);
      return releasesToPrune(list, keep).map((id) => ({
        action: 'run' as const,
        target: `${options.base.replace(/\/+$/, '')}/releases/${id}`,
        summary: `remove release ${id}`,
      }));
    },
    async apply(context) {
      await pruneReleases(context.executor, options.base, { keep });
      return undefined;
    },
  };
}
