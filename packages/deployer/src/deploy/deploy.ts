import {
  type DeployLock,
  type DeployRunEvent,
  type HostResult,
  mergeHostResults,
  releaseOnSignals,
} from '@fleet/sdk/deploy';
import { SITE_PHASES, type SitePhase } from '../site/site-plan.ts';
import { rolloutBatches } from './batches.ts';
import { deployReporterFor } from './dashboard-reporter.ts';
import { deployHost, type HostDeploy, type HostOutcome, prepareSite } from './deploy-host.ts';
import type { DeployOptions, DeployResult } from './deploy-options.ts';
import { DeployUsageError } from './deploy-usage-error.ts';
import { buildFleetBundle } from './fleet-bundle.ts';
import { hostNeedsBundle } from './host-needs-bundle.ts';
import { type FleetSession, openFleetSession } from './internal/fleet-session.ts';
import { runRecord } from './internal/run-record.ts';
import { failedHostResult, firstFailure } from './merge-results.ts';
import { rollbackHost, rollbackResult } from './rollback-host.ts';

function checkPhases(phases: readonly string[]): SitePhase[] {
  for (const phase of phases) {
    if (!(SITE_PHASES as readonly string[]).includes(phase)) {
      throw new DeployUsageError(`--phase: no phase "${phase}" (phases: ${SITE_PHASES.join(', ')})`);
    }
  }
  return SITE_PHASES.filter((phase) => phases.includes(phase));
}

/** The result of a run from its session and its hosts' results. */
function resultOf(
  session: FleetSession,
  results: Map<string, HostResult>,
  rolledBack: string[],
  run: DeployResult['run'],
): DeployResult {
  const failedHost = session.hosts.map((host) => results.get(host)).find((result) => result?.status === 'failed');
  const failure = failedHost ? firstFailure(failedHost) : undefined;
  return { run, rolledBack, ...(failedHost && failure ? { failure: { host: failedHost.host, ...failure } } : {}) };
}

/**
 * Deploys the fleet file onto its hosts: each selected host gets its site plan (preflight,
 * baseline, release, Fleet's services, Ollama, Gitea, Conduit, wizards), batch by batch, each host
 * gated on its services' health before the next batch starts. A host that fails rolls back (by
 * default with every host already updated in this run) and the rollout stops. In apply mode the run
 * holds the deploy lock on the lock host and is recorded in its history; plan mode changes nothing
 * anywhere. Ctrl-C or SIGTERM stops an apply run as `signal` does; the lock is held until the run
 * has stopped (its handlers and rollbacks done) and released after.
 *
 * @throws {DeployUsageError} for an invalid fleet file, an unknown host, group or phase (nothing ran).
 * @throws {DeployLockError} `deploy_locked` when another run holds the lock (nothing ran).
 * @example
 * const { run } = await deploy({ config: 'fleet.yaml', mode: 'apply', onEvent: (e) => console.log(e.type) });
 * if (run.status === 'failed') process.exitCode = 1;
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  // The dashboard hears of an apply run once it holds the lock (a run refused by the lock is no
  // deploy); the events before that are kept and sent first.
  const reporter = { current: undefined as ReturnType<typeof deployReporterFor>, early: [] as DeployRunEvent[] };
  const session = await openFleetSession({
    ...options,
    onEvent: (event) => {
      if (reporter.current) reporter.current.onEvent(event);
      else reporter.early.push(event);
      options.onEvent?.(event);
    },
  });
  const { fleet, settings, emit } = session;
  const phases = checkPhases(options.phases ?? SITE_PHASES);
  const policy = options.rollback ?? settings.rollback;
  const batches = rolloutBatches(session.hosts, settings.batches);
  const started = performance.now();
  emit({ type: 'run_started', at: session.now.toISOString(), runId: session.runId, mode: options.mode, batches });

  let lock: DeployLock | undefined;
  let unhookSignals: (() => void) | undefined;
  const results = new Map<string, HostResult>();
  const rolledBack: string[] = [];
  let error: string | undefined;
  let stopped: string | undefined;
  try {
    const needsBundle = phases.includes('release') && session.hosts.some((host) => hostNeedsBundle(fleet, host));
    const bundle = options.bundle ?? (needsBundle ? await buildFleetBundle() : undefined);
    if (options.mode === 'apply') {
      lock = await session.lock(
        {
          ...(options.commit ? { commit: options.commit } : {}),
          ...(options.message ? { message: options.message } : {}),
        },
        options.lockWaitMs,
        options.signal,
      );
      unhookSignals = releaseOnSignals(lock);
      reporter.current = deployReporterFor(fleet, options.dashboard, {
        trigger: options.trigger ?? 'cli',
        commit: options.commit,
        message: options.message,
      });
      for (const event of reporter.early.splice(0)) reporter.current?.onEvent(event);
    }
    const signal = AbortSignal.any([options.signal, lock?.signal].filter((s): s is AbortSignal => s !== undefined));
    const updated: HostOutcome[] = [];
    for (const [index, batch] of batches.entries()) {
      if (signal.aborted) {
        stopped = `stopped before deploying ${batches.slice(index).flat().join(', ')}`;
        break;
      }
      emit({ type: 'batch_started', at: new Date().toISOString(), index, hosts: batch });
      const outcomes = await Promise.all(
        batch.map(async (host): Promise<HostOutcome | undefined> => {
          const hostDeploy: HostDeploy = {
            fleet,
            fleetText: session.loaded.text,
            host,
            executor: session.executorOf(host),
            phases,
            mode: options.mode,
            bundle,
            now: session.now,
            signal,
            emit,
          };
          try {
            return await deployHost(hostDeploy, await prepareSite(hostDeploy));
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
        const to = outcome.rollbackTo === undefined ? {} : { to: outcome.rollbackTo };
        const back = await rollbackHost({ executor: session.executorOf(host), emit }, outcome.site, to);
        results.set(host, mergeHostResults([results.get(host)!, rollbackResult(host, options.mode, back)]));
        // Put back only when its release was swapped back (as `rollbackFleet` counts): a host that
        // could not be reached still runs the new release.
        if (back.result !== undefined) rolledBack.push(host);
      }
      break;
    }
  } catch (cause) {
    // Nothing ran on any host (the lock was held, the bundle could not be built): the caller gets
    // the error itself, and a lock taken is given back.
    if (results.size === 0) {
      await lock?.release().catch(() => undefined);
      unhookSignals?.();
      await session.close();
      throw cause;
    }
    error = cause instanceof Error ? cause.message : String(cause);
  }

  const run = runRecord(session, {
    trigger: options.trigger ?? 'cli',
    mode: options.mode,
    hosts: session.hosts.flatMap((host) => results.get(host) ?? []),
    started,
    error,
    stopped,
    commit: options.commit,
    message: options.message,
    rolledBack,
  });
  try {
    try {
      if (lock) {
        await session.record(lock, run);
        await lock.release().catch(() => undefined);
      }
    } finally {
      await session.close();
    }
    emit({ type: 'run_finished', at: run.finishedAt, runId: session.runId, status: run.status });
    await reporter.current?.flush();
  } finally {
    // The run has stopped, its handlers and rollbacks done, and the lock is back: only now may a
    // Ctrl-C or SIGTERM that stopped it end the process.
    unhookSignals?.();
  }
  return resultOf(session, results, rolledBack, run);
}
