import type { Executor } from '../executor.ts';
import { DeployRun } from './deploy-run.ts';
import { DEFAULT_DEPLOY_HISTORY_FILE } from './record-deploy-run.ts';

/** Options of {@link readDeployHistory}. */
export interface ReadDeployHistoryOptions {
  /** The history file on the lock host. @default '/var/lib/fleet/deploy/history.jsonl' */
  file?: string;
  /** At most this many runs, the newest. @default 50 */
  limit?: number;
}

/** A line of the history that is not a run, skipped. */
export interface DeployHistoryProblem {
  /** Its line number in the file, from 1. */
  line: number;
  /** Why it was skipped. */
  reason: string;
}

/** What {@link readDeployHistory} read. */
export interface DeployHistory {
  /** Newest first. */
  runs: DeployRun[];
  /** Lines skipped: a torn last line (a writer cut short), or one that is not a run. */
  problems: DeployHistoryProblem[];
}

/**
 * The newest runs of the history on the lock host, newest first; `{ runs: [], problems: [] }`
 * when there is none yet. Lines that are not runs (a torn last line) are skipped and reported.
 *
 * @example
 * const { runs, problems } = await readDeployHistory(lockHost, { limit: 10 });
 */
export async function readDeployHistory(
  executor: Executor,
  options: ReadDeployHistoryOptions = {},
): Promise<DeployHistory> {
  const limit = options.limit ?? 50;
  const text = await executor.readFile(options.file ?? DEFAULT_DEPLOY_HISTORY_FILE);
  const history: DeployHistory = { runs: [], problems: [] };
  const lines = (text ?? '').split('\n');
  for (let index = lines.length - 1; index >= 0 && history.runs.length < limit; index--) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      history.problems.push({ line: index + 1, reason: `not JSON (a write cut short?): ${line.slice(0, 80)}` });
      continue;
    }
    const run = DeployRun.safeParse(value);
    if (run.success) history.runs.push(run.data);
    else {
      const issue = run.error.issues[0];
      history.problems.push({ line: index + 1, reason: `not a run: ${issue?.path.join('.')} ${issue?.message}` });
    }
  }
  history.problems.reverse();
  return history;
}
