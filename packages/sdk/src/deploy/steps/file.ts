import { createHash } from 'node:crypto';
import { DeployError } from '../errors.ts';
import { attributeChanges, definedAttributes, describeAttributes } from '../internal/attribute-changes.ts';
import { parseMode } from '../internal/file-mode.ts';
import { unifiedDiff } from '../internal/unified-diff.ts';
import type { Step, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';
import type { StepChange } from '../step-result.ts';
import { renderTemplate, type TemplateVars } from '../template.ts';

/** Options of {@link fileStep}. Give `content` or `template`. */
export interface FileStepOptions extends StepOptions {
  /** Absolute host path. */
  path: string;
  /** The file's literal content. */
  content?: string;
  /** Content with `{{ name }}` placeholders, filled from `vars` strictly (see renderTemplate). */
  template?: string;
  /** Variables of `template`. */
  vars?: TemplateVars;
  /** User name or uid. @default unchanged, or the executor's user for a new file */
  owner?: string | number;
  /** Group name or gid. @default unchanged, or the executor's group for a new file */
  group?: string | number;
  /** Permission bits, `0o640` or `'0640'`. @default unchanged, or 0644 for a new file */
  mode?: number | string;
  /**
   * Show a unified diff of the content in results. Declared `secrets` show as `***`, a multi-line
   * one (a private key) line by line. The lines the file had before show as they were: use `false`
   * for a file whose old content is secret too and not declared (a key being rotated).
   * @default true
   */
  diff?: boolean;
}

/**
 * A file with the given content, owner, group and mode. Its check diffs the host's file against
 * the wanted content; its apply writes through the executor's atomic write (temp file, fsync,
 * rename), or only fixes owner and mode when the content is right.
 *
 * @example fileStep({ path: '/etc/fleet/bus.env', template: 'PORT={{ port }}\n', vars: { port: 8650 }, mode: '0600' })
 */
export function fileStep(options: FileStepOptions): Step {
  if ((options.content === undefined) === (options.template === undefined)) {
    throw new DeployError('invalid_plan', `File step ${options.path}: give exactly one of content and template`);
  }
  const attributes = definedAttributes({
    owner: options.owner,
    group: options.group,
    mode: options.mode === undefined ? undefined : parseMode(options.mode),
  });
  const wanted = (): string =>
    options.content ?? renderTemplate(options.template ?? '', options.vars ?? {}, options.path);
  const showDiff = options.diff ?? true;
  return {
    ...stepBase('file', `file ${options.path}`, options),
    probes: () => [{ path: options.path, content: true }],
    async check(context) {
      const content = wanted();
      const found = await context.fact({ path: options.path, content: true });
      const diff = (before: string | undefined): { diff?: string } =>
        showDiff ? { diff: unifiedDiff(options.path, before, content) } : {};
      if (!found.exists) {
        return [
          {
            action: 'create',
            target: options.path,
            summary: `create${describeAttributes(attributes)}`,
            ...diff(undefined),
          },
        ];
      }
      if (found.type !== 'file') {
        throw new DeployError(
          'path_conflict',
          `${options.path} is a ${found.type}, not a file: refusing to replace it`,
        );
      }
      const changes: StepChange[] = [];
      // A file too large to fetch is compared by hash, and not diffed.
      const differs =
        found.content !== undefined
          ? found.content !== content
          : found.sha256 !== createHash('sha256').update(content).digest('hex');
      if (differs) {
        changes.push({
          action: 'update',
          target: options.path,
          attribute: 'content',
          summary: found.content === undefined ? 'content (too large to diff)' : 'content',
          ...(found.content === undefined ? {} : diff(found.content)),
        });
      }
      changes.push(...attributeChanges(found, attributes).changes);
      return changes;
    },
    async apply(context, planned) {
      const writeContent =
        planned === 'may change' ||
        planned.some((change) => change.action === 'create' || change.attribute === 'content');
      if (writeContent) {
        await context.executor.writeFile(options.path, wanted(), attributes);
        return undefined;
      }
      // Read again just before changing it: the host may have changed since check read it.
      const found = await context.executor.stat(options.path);
      if (found.exists) await context.executor.setAttributes(options.path, attributeChanges(found, attributes).toSet);
      return undefined;
    },
  };
}
