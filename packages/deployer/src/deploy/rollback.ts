import { type DeployRun, type HostResult, releaseOnSignals } from '@fleet/sdk/deploy';
import { sitePlan } from '../site/site-plan.ts';
import type { DeployOptions, DeployResult } from './deploy-options.ts';
import { FLEET_BINS } from './fleet-bundle.ts';
import { type FleetSession, openFleetSession } from './internal/fleet-session.ts';
import { runRecord } from './internal/run-record.ts';
import { failedHostResult, firstFailure } from './merge-results.ts';
import { rollbackHost, rollbackResult } from './rollback-host.ts';

/** Options of {@link rollbackFleet}: a deploy's, without what only a deploy needs. */
export type RollbackOptions = Omit<DeployOptions, 'mode' | 'phases' | 'bundle' | 'rollback'>;

// Only the services of a host matter to a rollback (which units, which health checks), not the
// bins' paths inside a bundle.
const ANY_BINS = Object.fromEntries(FLEET_BINS.map((entry) => [entry.bin, entry.bin]));

/**
 * Rolls one host back. Never throws: a host that could not be rolled back, or whose rollback broke
 * off, gets a failed result saying why (as deploy() reports a host it could not deploy).
 */
async function rollbackOne(
  session: FleetSession,
  host: string,
): Promise<{ result: HostResult | undefined; rolledBack: boolean }> {
  try {
    const site = sitePlan({
      fleet: session.fleet,
      fleetText: session.loaded.text,
      host,
      bundle: { file: '', sha256: '', id: '', bins: ANY_BINS },
    });
    if (site.services.length === 0) return { result: undefined, rolledBack: false };
    const back = await rollbackHost({ executor: session.executorOf(host), emit: session.emit }, site);
    return { result: rollbackResult(host, 'apply', back), rolledBack: back.result !== undefined };
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    return { result: failedHostResult(host, 'apply', 'rollback', message), rolledBack: false };
  }
}

/**
 * `fleet deploy rollback`: puts each selected host back on its previous release (`current` swapped
 * back, the unit files that release keeps put back, its units restarted, its health gate passed
 * again: see `rollbackHost`), under the deploy lock, recorded in
 * history with trigger `rollback`. A second rollback undoes the first. A host that fails does not
 * stop the others: `rolledBack` names the hosts put back, the run's failed hosts and `failure` the
 * rest. Whatever happens, the run is recorded and the lock released; Ctrl-C or SIGTERM (or
 * `signal`) stops it before the next host, the lock held until the host under way is done.
 *
 * @throws {DeployUsageError} for an invalid fleet file or an unknown host or group.
 * @throws {DeployLockError} `deploy_locked` when another run holds the lock.
 */
export async function rollbackFleet(options: RollbackOptions = {}): Promise<DeployResult> {
  const session = await openFleetSession(options);
  const { emit } = session;
  const started = performance.now();
  emit({
    type: 'run_started',
    at: session.now.toISOString(),
    runId: session.runId,
    mode: 'apply',
    batches: [session.hosts],
  });
  let unhook: (() => void) | undefined;
  try {
    const lock = await session.lock({ message: options.message ?? 'rollback' }, options.lockWaitMs, options.signal);
    unhook = releaseOnSignals(lock);
    const signal = AbortSignal.any([options.signal, lock.signal].filter((s): s is AbortSignal => s !== undefined));
    const results: HostResult[] = [];
    const rolledBack: string[] = [];
    let stopped: string | undefined;
    let run: DeployRun;
    try {
      for (const [index, host] of session.hosts.entries()) {
        if (signal.aborted) {
          stopped = `stopped before rolling back ${session.hosts.slice(index).join(', ')}`;
          break;
        }
        const back = await rollbackOne(session, host);
        if (back.result) results.push(back.result);
        if (back.rolledBack) rolledBack.push(host);
      }
      run = runRecord(session, {
        trigger: options.trigger ?? 'rollback',
        mode: 'apply',
        hosts: results,
        started,
        stopped,
        message: options.message,
      });
      await session.record(lock, run);
    } finally {
      await lock.release().catch(() => undefined);
    }
    emit({ type: 'run_finished', at: run.finishedAt, runId: session.runId, status: run.status });
    const failedHost = results.find((result) => result.status === 'failed');
    const failure = failedHost ? firstFailure(failedHost) : undefined;
    return { run, rolledBack, ...(failedHost && failure ? { failure: { host: failedHost.host, ...failure } } : {}) };
  } finally {
    await session.close();
    // Only once the rollback has stopped and the lock is back may a Ctrl-C or SIGTERM end the process.
    unhook?.();
  }
}
