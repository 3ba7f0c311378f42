import { DeployError } from '../errors.ts';
import type { Command, PathInfo, PathType } from '../executor.ts';
import { commandText } from '../internal/command-text.ts';
import { tailOf } from '../internal/output-tail.ts';
import type { Step, StepContext, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';

/** Options of {@link assertStep}: a path probe or a read-only command, and the message if it fails. */
export interface AssertStepOptions extends StepOptions {
  /** Said when the assertion does not hold, e.g. `Node.js >= 20 is required: apt install nodejs`. */
  message: string;
  /** A host path to probe. */
  path?: string;
  /** Whether `path` must exist. @default true */
  exists?: boolean;
  /** What `path` must be. */
  type?: PathType;
  /** Text (or a pattern) a regular file at `path` must contain. */
  contains?: string | RegExp;
  /** A read-only command that must exit 0. */
  command?: Command;
  /** Timeout of `command`. @default the executor's */
  timeoutMs?: number;
}

function pathProblem(options: AssertStepOptions, found: PathInfo): string | undefined {
  const wantExists = options.exists ?? true;
  if (!found.exists) return wantExists ? 'it does not exist' : undefined;
  if (!wantExists) return `it exists (a ${found.type})`;
  if (options.type !== undefined && found.type !== options.type) return `it is a ${found.type}, not a ${options.type}`;
  if (options.contains !== undefined) {
    if (found.content === undefined) return 'its content could not be read';
    const holds =
      typeof options.contains === 'string'
        ? found.content.includes(options.contains)
        : options.contains.test(found.content);
    if (!holds) return `it does not contain ${String(options.contains)}`;
  }
  return undefined;
}

/**
 * A check that fails the step, with `message`, when the host is not as expected. It never changes
 * anything, so it reports `ok` or `failed`, in plan mode too.
 *
 * @example assertStep({ command: ['node', '-e', 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'], message: 'Node.js >= 20 is required' })
 */
export function assertStep(options: AssertStepOptions): Step {
  if ((options.path === undefined) === (options.command === undefined)) {
    throw new DeployError('invalid_plan', `Assert "${options.message}": give exactly one of path and command`);
  }
  const request = (path: string) => ({ path, content: options.contains !== undefined });
  const problem = async (context: StepContext): Promise<string | undefined> => {
    if (options.path !== undefined) {
      const why = pathProblem(options, await context.fact(request(options.path)));
      return why === undefined ? undefined : `${options.path}: ${why}`;
    }
    const command = options.command!;
    const result = await context.executor.run(command, {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(context.signal === undefined ? {} : { signal: context.signal }),
    });
    if (result.exitCode === 0) return undefined;
    const how = result.timedOut ? 'timed out' : `exited with ${result.exitCode ?? result.signal}`;
    return `${commandText(command)} ${how}: ${tailOf(result.output.trim(), 500)}`;
  };
  return {
    ...stepBase('assert', `assert ${options.path ?? commandText(options.command!)}`, options),
    probes: () => (options.path === undefined ? [] : [request(options.path)]),
    async check(context) {
      const why = await problem(context);
      if (why !== undefined) throw new DeployError('assertion_failed', `${options.message} (${why})`);
      return [];
    },
    async apply() {
      return undefined;
    },
  };
}
