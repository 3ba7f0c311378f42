import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DeployError, type Step, type StepOptions, stepBase } from '@fleet/sdk/deploy';
import type { ReleaseBundle } from '../bundle/build-release-bundle.ts';
import { findBundleRelease } from './find-bundle-release.ts';
import { INSTALL_BUNDLE_SCRIPT, leftoverMinutes } from './internal/install-bundle-script.ts';
import { BUNDLE_MARKER, bundleReleaseId } from './release-id.ts';

/** Options of {@link releaseBundleStep}. */
export interface ReleaseBundleStepOptions extends StepOptions {
  /** Absolute host path of the application's directory; releases go to `<base>/releases/`. */
  base: string;
  /** The bundle to install (see `buildReleaseBundle`). */
  bundle: Pick<ReleaseBundle, 'file' | 'sha256' | 'id'>;
  /**
   * The release's directory name under `releases/`; it must end with `-<bundle.id>`. Given, the
   * step makes exactly this release (a plan that writes more files into it names it up front);
   * left out, any complete release of the bundle will do, and a new one is named
   * `bundleReleaseId(bundle.id, now)`.
   * @default bundleReleaseId(bundle.id, now)
   */
  id?: string;
  /** The time in the new release's name, when `id` is left out. @default when the step is made */
  now?: Date;
  /** Kill the extraction after this long. @default the executor's (300 s) */
  timeoutMs?: number;
}

/**
 * A release of a bundle under `<base>/releases/<time>-<bundle id>/`. Its check finds a complete
 * release of the same bundle (by the id in its name and the SHA-256 in its {@link BUNDLE_MARKER}),
 * so an unchanged build deploys nothing. Its apply uploads the `.tar.gz` (through
 * `Executor.writeFile`), extracts it into `<id>.partial`, writes the marker and renames the
 * directory into place with `mv -T`: a half-extracted release never looks complete. Before it
 * extracts, it removes what installs killed by SIGKILL or a reboot left directly under `releases/`
 * (`*.partial` directories, hidden uploads and their temp files) once they are 10 minutes old, or
 * `timeoutMs` + 5 minutes: never this run's, never a release. It only creates the release;
 * activating it (the `current` symlink) is another step.
 *
 * @example releaseBundleStep({ base: '/opt/fleet/app', bundle: await buildReleaseBundle({ bins }) })
 */
export function releaseBundleStep(options: ReleaseBundleStepOptions): Step {
  const { base, bundle } = options;
  const releases = `${base}/releases`;
  const id = options.id ?? bundleReleaseId(bundle.id, options.now ?? new Date());
  if (!id.endsWith(`-${bundle.id}`) || id.includes('/') || id.startsWith('.')) {
    throw new DeployError('invalid_plan', `Release id "${id}" must be a plain name ending with -${bundle.id}`);
  }
  const marker = `${releases}/${id}/${BUNDLE_MARKER}`;
  return {
    ...stepBase('release', `release ${bundle.id} in ${base}`, options),
    probes: () => (options.id === undefined ? [{ path: releases }] : [{ path: marker, content: true }]),
    async check(context) {
      const create = [{ action: 'create' as const, target: `${releases}/${id}`, summary: `create release ${id}` }];
      if (options.id === undefined) {
        return (await findBundleRelease(context.executor, base, bundle, context.signal)) ? [] : create;
      }
      const found = await context.fact({ path: marker, content: true });
      if (found.exists && found.content?.trim() === bundle.sha256) return [];
      if (found.exists || (await context.fact({ path: `${releases}/${id}` })).exists) {
        throw new DeployError(
          'path_conflict',
          `${releases}/${id} exists but is no complete release of the bundle ${bundle.id}: refusing to replace it`,
        );
      }
      return create;
    },
    async apply(context) {
      const content = await readFile(bundle.file);
      if (createHash('sha256').update(content).digest('hex') !== bundle.sha256) {
        throw new DeployError('invalid_plan', `${bundle.file} is not the bundle ${bundle.id}: its SHA-256 differs`);
      }
      const upload = `.${id}.tar.gz`;
      await context.executor.mkdir(releases);
      await context.executor.writeFile(`${releases}/${upload}`, content, { mode: 0o600 });
      const age = String(leftoverMinutes(options.timeoutMs));
      const result = await context.executor.run(
        ['sh', '-c', INSTALL_BUNDLE_SCRIPT, 'sh', upload, id, bundle.sha256, age],
        {
          cwd: releases,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          ...(context.signal === undefined ? {} : { signal: context.signal }),
        },
      );
      if (result.exitCode !== 0) {
        throw new DeployError('command_failed', `Extracting the bundle ${bundle.id} into ${releases}/${id} failed`, {
          output: result.output,
        });
      }
      return { output: result.output };
    },
  };
}
