import { posix } from 'node:path';
import type { Executor } from '../executor.ts';
import { fromRoot, runScriptUnderFlock, scriptFailed } from '../internal/host-script.ts';
import { Redactor } from '../internal/redactor.ts';
import { DeployRun } from './deploy-run.ts';
import { APPEND } from './internal/history-scripts.ts';

/** Where run history lives on the lock host, unless told otherwise. */
export const DEFAULT_DEPLOY_HISTORY_FILE = '/var/lib/fleet/deploy/history.jsonl';

/** How many runs history keeps, unless told otherwise. */
export const DEFAULT_DEPLOY_HISTORY_KEEP = 200;

/** Options of {@link recordDeployRun}. */
export interface RecordDeployRunOptions {
  /** The history file on the lock host. @default '/var/lib/fleet/deploy/history.jsonl' */
  file?: string;
  /** Keep only this many of the newest runs. @default 200 */
  keep?: number;
  /**
   * Values to write as `***`, on top of the redaction the results already had: for what the run's
   * own fields (its message, its error) might hold.
   */
  secrets?: readonly string[];
}

/**
 * Append a run to the history on the lock host: one JSON line, written whole by one command under
 * an exclusive `flock` of the file's directory (so concurrent writers never interleave and the
 * trim to the newest `keep` loses no one's line). The file's directory is created if missing;
 * a torn last line left by a writer that died is ended first, so it costs only itself.
 *
 * @throws {ZodError} when `run` does not match {@link DeployRun}.
 * @example
 * await recordDeployRun(lockHost, { id: runId, trigger: 'cli', ..., hosts: results });
 */
export async function recordDeployRun(
  executor: Executor,
  run: DeployRun,
  options: RecordDeployRunOptions = {},
): Promise<void> {
  const file = options.file ?? DEFAULT_DEPLOY_HISTORY_FILE;
  const keep = options.keep ?? DEFAULT_DEPLOY_HISTORY_KEEP;
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a whole number >= 1, got ${keep}`);
  const line = `${JSON.stringify(new Redactor(options.secrets ?? []).deep(DeployRun.parse(run)))}\n`;
  const what = `record deploy run ${run.id} in ${file}`;
  const result = await runScriptUnderFlock(
    executor,
    what,
    posix.dirname(file),
    APPEND,
    [fromRoot(file), String(keep)],
    {
      create: true,
      input: line,
    },
  );
  if (result.exitCode !== 0) throw scriptFailed(executor, what, result);
}
