import { output, printJson, untilSignal } from '@fleet/sdk/cli';
import type { DeployRunEvent } from '@fleet/sdk/deploy';
import type { DeployResult } from '../deploy/deploy-options.ts';
import { isDeployUsageError } from '../deploy/deploy-usage-error.ts';
import { deployUsageError } from './deploy-usage.ts';
import { formatChanges } from './format-report.ts';
import { LiveProgress } from './live-progress.ts';
import { progressLine } from './progress.ts';

/**
 * Runs a deploy-like operation for a command: progress lines on stderr (or, with `json`, every
 * event as one JSON line on stdout), Ctrl-C and SIGTERM stop it between steps (the lock is still
 * released), the changes at the end, and a failure as an error (exit 1). A bad command line or
 * fleet file is a usage error (exit 2), its problems printed first.
 */
export async function runDeployCommand(
  json: boolean,
  operation: (hooks: { signal: AbortSignal; onEvent: (event: DeployRunEvent) => void }) => Promise<DeployResult>,
): Promise<void> {
  const stop = untilSignal();
  // On a terminal a live block per host; elsewhere (CI logs, pipes) one line per event.
  const live = !json && process.stderr.isTTY ? new LiveProgress(process.stderr) : undefined;
  let result: DeployResult;
  try {
    result = await operation({
      signal: stop.signal,
      onEvent: (event) => {
        if (json) printJson(event);
        else if (live) live.event(event);
        else {
          const line = progressLine(event);
          if (line !== undefined) output.info(line);
        }
      },
    });
  } catch (error) {
    if (isDeployUsageError(error)) throw deployUsageError(error);
    throw error;
  } finally {
    live?.close();
    stop.dispose();
  }
  if (json) printJson({ type: 'result', ...result });
  else for (const line of formatChanges(result.run.hosts)) output.log(line);
  if (result.run.status === 'failed') {
    const where = result.failure
      ? ` on ${result.failure.host} at ${result.failure.phase} / ${result.failure.step}: ${result.failure.error}`
      : '';
    const back = result.rolledBack.length > 0 ? ` (rolled back: ${result.rolledBack.join(', ')})` : '';
    throw new Error(`deploy failed${where}${back}`);
  }
  if (result.run.status === 'aborted') throw new Error('deploy stopped before it finished');
}
