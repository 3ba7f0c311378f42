import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  acquireDeployLock,
  type DeployLock,
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
import { SITE_PHASES, type SitePhase } from '../site/site-plan.ts';
import { rolloutBatches } from './batches.ts';
import { sshConnector } from './connect-host.ts';
import { deployHost, type HostDeploy, type HostOutcome, prepareSite, rollbackHost } from './deploy-host.ts';
import type { DeployOptions, DeployResult } from './deploy-options.ts';
import { DeployUsageError } from './deploy-usage-error.ts';
import { buildFleetBundle } from './fleet-bundle.ts';
import { hostNeedsBundle } from './host-needs-bundle.ts';
import { loadDeployFleet, parseDeployFleet } from './load-deploy-fleet.ts';
import { failedHostResult, firstFailure, mergeHostResults } from './merge-results.ts';
import { selectHosts } from './select-hosts.ts';

function checkPhases(phases: readonly string[]): SitePhase[] {
  for (const phase of phases) {
    if (!(SITE_PHASES as readonly string[]).includes(phase)) {
      throw new DeployUsageError(`--phase: no phase "${phase}" (phases: ${SITE_PHASES.join(', ')})`);
    }
  }
  return SITE_PHASES.filter((phase) => phases.includes(phase));
}

/**
 * Deploys the fleet file onto its hosts: each selected host gets its site plan (preflight,
 * baseline, release, Fleet's services, Ollama, Gitea, Conduit, wizards), batch by batch, each host
 * gated on its services' health before the next batch starts. A host that fails rolls back (by
 * default with every host already updated in this run) and the rollout stops. In apply mode the run
 * holds the deploy lock on the lock host and is recorded in its history; plan mode changes nothing
 * anywhere.
 *
 * @throws {DeployUsageError} for an invalid fleet file, an unknown host, group or phase (nothing ran).
 * @throws {DeployLockError} `deploy_locked` when another run holds the lock (nothing ran).
 * @example
 * const { run } = await deploy({ config: 'fleet.yaml', mode: 'apply', onEvent: (e) => console.log(e.type) });
 * if (run.status === 'failed') process.exitCode = 1;
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const file = options.config ?? 'fleet.yaml';
  const env = options.env ?? process.env;
  const loaded =
    options.configText === undefined
      ? await loadDeployFleet(file, env)
      : parseDeployFleet(options.configText, file, env);
  const { fleet } = loaded;
  const settings = deploySettings(fleet);
  const layout = siteLayout(settings);
  const phases = checkPhases(options.phases ?? SITE_PHASES);
  const selected = selectHosts(fleet, {
    ...(options.hosts ? { hosts: options.hosts } : {}),
    ...(options.groups ? { groups: options.groups } : {}),
  });
  const policy = options.rollback ?? settings.rollback;
  const now = new Date();
  const runId = `${releaseId(now)}-${randomBytes(3).toString('hex')}`;
  const emit = (event: DeployRunEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A broken listener cannot stop a deploy half-way.
    }
  };
  const batches = rolloutBatches(selected, settings.batches);
  const started = performance.now();
  emit({ type: 'run_started', at: now.toISOString(), runId, mode: options.mode, batches });

  const needsBundle = phases.includes('release') && selected.some((host) => hostNeedsBundle(fleet, host));
  const bundle = options.bundle ?? (needsBundle ? await buildFleetBundle() : undefined);
  const connect = options.connect ?? sshConnector({ baseDir: dirname(resolve(file)), ...options.ssh });
  const executors = new Map<string, Executor>();
  const executorOf = (host: string): Executor => {
    let executor = executors.get(host);
    if (!executor) {
      executor = connect(host, fleet);
      executors.set(host, executor);
    }
    return executor;
  };

  let lock: DeployLock | undefined;
  let unhookSignals: (() => void) | undefined;
  const results = new Map<string, HostResult>();
  const rolledBack: string[] = [];
  let error: string | undefined;
  try {
    if (options.mode === 'apply') {
      const lockHost = deployLockHost(fleet);
      if (lockHost === undefined)
        throw new DeployUsageError('no host has an ssh block: nowhere to keep the deploy lock');
      lock = await acquireDeployLock(executorOf(lockHost), {
        dir: layout.lockDir,
        ttlMs: settings.lock.ttl,
        owner: {
          runId,
          ...(options.commit ? { commit: options.commit } : {}),
          ...(options.message ? { message: options.message } : {}),
        },
        ...(options.lockWaitMs ? { waitMs: options.lockWaitMs } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      unhookSignals = releaseOnSignals(lock);
      emit({
        type: 'lock_acquired',
        at: new Date().toISOString(),
        host: lockHost,
        tookOver: lock.tookOver !== undefined,
      });
    }
    const signal = AbortSignal.any([options.signal, lock?.signal].filter((s): s is AbortSignal => s !== undefined));
    const updated: HostOutcome[] = [];
    for (const [index, batch] of batches.entries()) {
      if (signal.aborted) break;
      emit({ type: 'batch_started', at: new Date().toISOString(), index, hosts: batch });
      const outcomes = await Promise.all(
        batch.map(async (host): Promise<HostOutcome | undefined> => {
          const hostDeploy: HostDeploy = {
            fleet,
            fleetText: loaded.text,
            host,
            executor: executorOf(host),
            phases,
            mode: options.mode,
            bundle,
            now,
            signal,
            emit,
          };
          try {
            const site = await prepareSite(hostDeploy);
            return await deployHost(hostDeploy, site);
          } catch (cause) {
            const message = cause instanceof Error ? cause.message : String(cause);
            results.set(host, failedHostResult(host, options.mode, 'prepare', message));
            return undefined;
          }
        }),
      );
      for (const outcome of outcomes) {
        if (!outcome) continue;
        results.set(outcome.site.host, outcome.result);
        if (outcome.activated) updated.push(outcome);
      }
      const failed = batch.filter((host) => results.get(host)?.status === 'failed');
      if (failed.length === 0 || options.mode === 'plan') continue;
      for (const host of failed) {
        const failure = firstFailure(results.get(host)!);
        if (failure?.phase === 'gate') {
          emit({ type: 'gate_failed', at: new Date().toISOString(), host, step: failure.step, reason: failure.error });
        }
      }
      const undo =
        policy === 'none' ? [] : policy === 'host' ? updated.filter((o) => failed.includes(o.site.host)) : updated;
      for (const outcome of undo.reverse()) {
        const host = outcome.site.host;
        const back = await rollbackHost({ executor: executorOf(host), emit }, outcome.site);
        if (back.result) results.set(host, mergeHostResults([results.get(host)!, back.result]));
        rolledBack.push(host);
      }
      break;
    }
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
    if (lock === undefined && options.mode === 'apply' && results.size === 0) {
      await closeAll(executors);
      throw cause;
    }
  } finally {
    unhookSignals?.();
  }

  const hosts = selected.flatMap((host) => results.get(host) ?? []);
  const finished = new Date();
  const status = error !== undefined ? 'failed' : deployRunStatus(hosts);
  const run: DeployRun = {
    id: runId,
    trigger: options.trigger ?? 'cli',
    user: userInfo().username,
    from: hostname(),
    ...(options.commit ? { commit: options.commit } : {}),
    ...(options.message ? { message: options.message } : {}),
    mode: options.mode,
    startedAt: now.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: performance.now() - started,
    status: rolledBack.length > 0 && status !== 'aborted' ? 'failed' : status,
    ...(error !== undefined ? { error } : {}),
    hosts,
  };
  try {
    if (lock) {
      await recordDeployRun(lock.executor, run, { file: layout.historyFile }).catch((cause: unknown) => {
        run.error ??= `the run could not be recorded: ${cause instanceof Error ? cause.message : String(cause)}`;
      });
      await lock.release().catch(() => undefined);
    }
  } finally {
    await closeAll(executors);
  }
  emit({ type: 'run_finished', at: finished.toISOString(), runId, status: run.status });
  const failedHost = hosts.find((host) => host.status === 'failed');
  const failure = failedHost ? firstFailure(failedHost) : undefined;
  return { run, rolledBack, ...(failedHost && failure ? { failure: { host: failedHost.host, ...failure } } : {}) };
}

async function closeAll(executors: Map<string, Executor>): Promise<void> {
  await Promise.all([...executors.values()].map((executor) => executor.close().catch(() => undefined)));
}
