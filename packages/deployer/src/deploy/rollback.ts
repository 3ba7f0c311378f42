import { type HostResult, releaseOnSignals } from '@fleet/sdk/deploy';
import { sitePlan } from '../site/site-plan.ts';
import { rollbackHost } from './deploy-host.ts';
import type { DeployOptions, DeployResult } from './deploy-options.ts';
import { FLEET_BINS } from './fleet-bundle.ts';
import { openFleetSession } from './internal/fleet-session.ts';
import { runRecord } from './internal/run-record.ts';
import { failedHostResult, firstFailure } from './merge-results.ts';

/** Options of {@link rollbackFleet}: a deploy's, without what only a deploy needs. */
export type RollbackOptions = Omit<DeployOptions, 'mode' | 'phases' | 'bundle' | 'rollback'>;

// Only the services of a host matter to a rollback (which units, which health checks), not the
// bins' paths inside a bundle.
const ANY_BINS = Object.fromEntries(FLEET_BINS.map((entry) => [entry.bin, entry.bin]));

/**
 * `fleet deploy rollback`: puts each selected host back on its previous release (`current` swapped
 * back, its units restarted, its health gate passed again), under the deploy lock, recorded in
 * history with trigger `rollback`. A second rollback undoes the first.
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
  try {
    const lock = await session.lock({ message: options.message ?? 'rollback' }, options.lockWaitMs, options.signal);
    const unhook = releaseOnSignals(lock);
    const results: HostResult[] = [];
    const rolledBack: string[] = [];
    try {
      for (const host of session.hosts) {
        const site = sitePlan({
          fleet: session.fleet,
          fleetText: session.loaded.text,
          host,
          bundle: { file: '', sha256: '', id: '', bins: ANY_BINS },
        });
        if (site.services.length === 0) continue;
        const back = await rollbackHost({ executor: session.executorOf(host), emit }, site);
        results.push(back.result ?? failedHostResult(host, 'apply', 'rollback', back.error ?? 'rollback failed'));
        if (back.result) rolledBack.push(host);
      }
    } finally {
      unhook();
    }
    const run = runRecord(session, {
      trigger: options.trigger ?? 'rollback',
      mode: 'apply',
      hosts: results,
      started,
      message: options.message,
    });
    await session.record(lock, run);
    await lock.release().catch(() => undefined);
    emit({ type: 'run_finished', at: run.finishedAt, runId: session.runId, status: run.status });
    const failedHost = results.find((result) => result.status === 'failed');
    const failure = failedHost ? firstFailure(failedHost) : undefined;
    return { run, rolledBack, ...(failedHost && failure ? { failure: { host: failedHost.host, ...failure } } : {}) };
  } finally {
    await session.close();
  }
}
