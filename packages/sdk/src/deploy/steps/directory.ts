import { DeployError } from '../errors.ts';
import { attributeChanges, definedAttributes, describeAttributes } from '../internal/attribute-changes.ts';
import { parseMode } from '../internal/file-mode.ts';
import type { Step, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';

/** Options of {@link directoryStep}. */
export interface DirectoryStepOptions extends StepOptions {
  /** Absolute host path; missing parents are created with default attributes. */
  path: string;
  /** User name or uid. @default unchanged, or the executor's user for a new directory */
  owner?: string | number;
  /** Group name or gid. @default unchanged, or the executor's group for a new directory */
  group?: string | number;
  /** Permission bits, `0o750` or `'0750'`. @default unchanged, or per umask for a new directory */
  mode?: number | string;
}

/**
 * A directory with the given owner, group and mode. Something else at its path (a file, a
 * symlink) fails the step: it is never removed.
 *
 * @example directoryStep({ path: '/var/lib/fleet', owner: 'fleet', mode: '0750' })
 */
export function directoryStep(options: DirectoryStepOptions): Step {
  const attributes = definedAttributes({
    owner: options.owner,
    group: options.group,
    mode: options.mode === undefined ? undefined : parseMode(options.mode),
  });
  return {
    ...stepBase('directory', `directory ${options.path}`, options),
    probes: () => [{ path: options.path }],
    async check(context) {
      const found = await context.fact({ path: options.path });
      if (!found.exists) {
        return [{ action: 'create', target: options.path, summary: `create${describeAttributes(attributes)}` }];
      }
      if (found.type !== 'directory') {
        throw new DeployError(
          'path_conflict',
          `${options.path} is a ${found.type}, not a directory: refusing to replace it`,
        );
      }
      return attributeChanges(found, attributes).changes;
    },
    async apply(context) {
      // Read again just before changing it: the host may have changed since check read it.
      const found = await context.executor.stat(options.path);
      if (!found.exists) await context.executor.mkdir(options.path, attributes);
      else await context.executor.setAttributes(options.path, attributeChanges(found, attributes).toSet);
      return undefined;
    },
  };
}
