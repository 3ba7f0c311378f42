import type { z } from 'zod';
import type { DeployQueue } from './deploy-queue.ts';
import { type DeployHookDeploys, DeployHookHistoryRun } from './schemas.ts';

/**
 * Reads the deployer's recorded runs, newest first, at most `limit` (the deployer's `deployHistory()`
 * over SSH on the lock host). Runs may carry more fields (a full `DeployRun` of `@fleet/sdk/deploy`);
 * `GET /deploys` keeps those of {@link DeployHookHistoryRun}.
 */
export type DeployHookHistory = (
  limit: number,
  signal?: AbortSignal,
) => Promise<readonly z.input<typeof DeployHookHistoryRun>[]>;

/** Options of {@link listHookDeploys}. */
export interface ListHookDeploysOptions {
  /** At most this many jobs and this many history runs. @default 20 */
  limit?: number;
  /** Where the deployer's history comes from. @default none: the answer has only the jobs */
  history?: DeployHookHistory;
  /** Aborts the history read (the request went away). */
  signal?: AbortSignal;
}

/** The longest `historyError` shown: the first line of the failure, cut here. */
const MAX_ERROR_LENGTH = 300;

/** One line saying why the history could not be read: the error's message, never its stack or cause. */
function historyFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0]?.trim() || 'reading the deploy history failed';
  return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH - 1)}…` : line;
}

/**
 * The answer of `GET /deploys`: the queue's jobs and, with `history`, the deployer's recorded runs,
 * each newest first. A history that throws or answers something that is not runs leaves `history`
 * out and says why in `historyError`; the jobs are there either way.
 *
 * @example
 * implement(deployHookRoutes.deploys, ({ query, signal }) =>
 *   listHookDeploys(queue, { limit: query.limit, history: (limit) => readRuns(limit), signal }));
 */
export async function listHookDeploys(
  queue: DeployQueue,
  options: ListHookDeploysOptions = {},
): Promise<DeployHookDeploys> {
  const limit = options.limit ?? 20;
  const jobs = queue.jobs(limit);
  const answer: DeployHookDeploys = { jobs, count: jobs.length };
  if (options.history === undefined) return answer;
  try {
    const runs = DeployHookHistoryRun.array().safeParse((await options.history(limit, options.signal)).slice(0, limit));
    if (runs.success) answer.history = runs.data;
    else {
      const issue = runs.error.issues[0];
      answer.historyError = `the history holds something that is not a run: ${issue?.path.join('.')}: ${issue?.message}`;
    }
  } catch (error) {
    answer.historyError = historyFailure(error);
  }
  return answer;
}
