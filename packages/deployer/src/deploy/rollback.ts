import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  acquireDeployLock,
  type DeployRun,
  type DeployRunEvent,
  deployRunStatus,
  type Executor,
  type HostResult,
  recordDeployRun,
  releaseId,
  releaseOnSignals,
} from '@fleet/sdk/deploy';
import { deployLockHost, deploySettings } from '@fleet/sdk/fleet';
import { siteLayout } from '../site/layout.ts';
import { sitePlan } from '../site/site-plan.ts';
import { sshConnector } from './connect-host.ts';
import { rollbackHost } from './deploy-host.ts';
import type { DeployOptions, DeployResult } from './deploy-options.ts';
import { DeployUsageError } from './deploy-usage-error.ts';
import { FLEET_BINS } from './fleet-bundle.ts';
import { loadDeployFleet, parseDeployFleet } from './load-deploy-fleet.ts';
import { failedHostResult, firstFailure } from './merge-results.ts';
import { selectHosts } from './select-hosts.ts';

/** Options of {@link rollbackFleet}: a deploy's, without what only a deploy needs. */
export type RollbackOptions = Omit<DeployOptions, 'mode' | 'phases' | 'bundle' | 'rollback'>;

const ANY_BINS = Object.fromEntries(FLEET_BINS.map((entry) => [entry.bin, entry.bin]));

/**
 * `fleet deploy rollback`: puts each selected host back on its previous release (`current` swapped
 * back, its units restarted, its health gate passed again), under the deploy lock, recorded in
 * history with trigger `rollback`. A second rollback undoes the first.
 */
export async function rollbackFleet(options: RollbackOptions = {}): Promise<DeployResult> {
  const file = options.config ?? 'fleet.yaml';
  const env = options.env ?? process.env;
  const loaded =
    options.configText === undefined
      ? await loadDeployFleet(file, env)
      : parseDeployFleet(options.configText, file, env);
  const { fleet } = loaded;
  const settings = deploySettings(fleet);
  const layout = siteLayout(settings);
  const hosts = selectHosts(fleet, {
    ...(options.hosts ? { hosts: options.hosts } : {}),
    ...(options.groups ? { groups: options.groups } : {}),
  });
  const lockHost = deployLockHost(fleet);
  if (lockHost === undefined) throw new DeployUsageError('no host has an ssh block: nowhere to keep the deploy lock');
  const connect = options.connect ?? sshConnector({ baseDir: dirname(resolve(file)), ...options.ssh });
  const executors = new Map<string, Executor>();
  const executorOf = (host: string) => {
    let executor = executors.get(host);
    if (!executor) {
      executor = connect(host, fleet);
      executors.set(host, executor);
    }
    return executor;
  };
  const emit = (event: DeployRunEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A broken listener cannot stop a rollback half-way.
    }
  };
  const now = new Date();
  const runId = `${releaseId(now)}-${randomBytes(3).toString('hex')}`;
  const started = performance.now();
  emit({ type: 'run_started', at: now.toISOString(), runId, mode: 'apply', batches: [hosts] });
  try {
    const lock = await acquireDeployLock(executorOf(lockHost), {
      dir: layout.lockDir,
      ttlMs: settings.lock.ttl,
      owner: { runId, message: options.message ?? 'rollback' },
      ...(options.lockWaitMs ? { waitMs: options.lockWaitMs } : {}),
    });
    const unhook = releaseOnSignals(lock);
    const results: HostResult[] = [];
    const rolledBack: string[] = [];
    try {
      for (const host of hosts) {
        // Only the services matter here (which units to restart, how to gate them), not the release.
        const input = { fleet, fleetText: loaded.text, host, bundle: { file: '', sha256: '', id: '', bins: ANY_BINS } };
        const site = sitePlan(input);
        if (site.services.length === 0) continue;
        const back = await rollbackHost({ executor: executorOf(host), emit }, site);
        results.push(back.result ?? failedHostResult(host, 'apply', 'rollback', back.error ?? 'rollback failed'));
        if (back.result) rolledBack.push(host);
      }
    } finally {
      unhook();
    }
    const run: DeployRun = {
      id: runId,
      trigger: options.trigger ?? 'rollback',
      user: userInfo().username,
      from: hostname(),
      mode: 'apply',
      startedAt: now.toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: performance.now() - started,
      status: deployRunStatus(results),
      ...(options.message ? { message: options.message } : {}),
      hosts: results,
    };
    await recordDeployRun(lock.executor, run, { file: layout.historyFile }).catch(() => undefined);
    await lock.release().catch(() => undefined);
    emit({ type: 'run_finished', at: run.finishedAt, runId, status: run.status });
    const failedHost = results.find((result) => result.status === 'failed');
    const failure = failedHost ? firstFailure(failedHost) : undefined;
    return { run, rolledBack, ...(failedHost && failure ? { failure: { host: failedHost.host, ...failure } } : {}) };
  } finally {
    await Promise.all([...executors.values()].map((executor) => executor.close().catch(() => undefined)));
  }
}
