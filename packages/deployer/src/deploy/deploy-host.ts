import {
  type DeployMode,
  type DeployRunEvent,
  type Executor,
  type HostResult,
  listReleases,
  mergeHostResults,
  rollbackRelease,
  runPlan,
  serviceStep,
} from '@fleet/sdk/deploy';
import type { Fleet } from '@fleet/sdk/fleet';
import type { ReleaseBundle } from '../bundle/build-release-bundle.ts';
import { gatePlan, type Site, type SitePhase, sitePlan, siteRelease } from '../site/site-plan.ts';

/** What deploying one host needs. */
export interface HostDeploy {
  fleet: Fleet;
  fleetText: string;
  host: string;
  executor: Executor;
  phases: readonly SitePhase[];
  mode: DeployMode;
  bundle: ReleaseBundle | undefined;
  now: Date;
  signal: AbortSignal | undefined;
  emit: (event: DeployRunEvent) => void;
}

/** How a host's deploy went. */
export interface HostOutcome {
  site: Site;
  result: HostResult;
  /** Its `current` release moved in this run (so a rollback has something to undo). */
  activated: boolean;
}

/**
 * The host's site plan, with the release id chosen: the release already on the host whose name
 * ends in the content's hash (an unchanged redeploy), else a new one named by the time.
 */
export async function prepareSite(deploy: HostDeploy): Promise<Site> {
  const input = {
    fleet: deploy.fleet,
    fleetText: deploy.fleetText,
    host: deploy.host,
    phases: deploy.phases,
    now: deploy.now,
    ...(deploy.bundle ? { bundle: deploy.bundle } : {}),
  };
  const release = siteRelease(input);
  if (release.services.length === 0 || !deploy.phases.includes('release')) return sitePlan(input);
  const { releases } = await listReleases(deploy.executor, release.appBase);
  return sitePlan({ ...input, releases });
}

/**
 * Runs a host's site plan, then (in apply mode, when it went well and the host runs services) its
 * health gate. Never throws: failures are in the result.
 */
export async function deployHost(deploy: HostDeploy, site: Site): Promise<HostOutcome> {
  const options = {
    executor: deploy.executor,
    mode: deploy.mode,
    onEvent: deploy.emit,
    ...(deploy.signal ? { signal: deploy.signal } : {}),
  };
  const results: [HostResult, ...HostResult[]] = [await runPlan(site.plan, options)];
  const first = results[0]!;
  const activated = first.phases.some((phase) =>
    phase.steps.some(
      (step) => step.kind === 'release' && step.step.startsWith('activate release') && step.status === 'changed',
    ),
  );
  const gate = gatePlan(site);
  const runsServices = deploy.phases.some((phase) =>
    ['fleet', 'ollama', 'gitea', 'conduit', 'wizards'].includes(phase),
  );
  if (first.status !== 'failed' && runsServices && gate.phases.length > 0) results.push(await runPlan(gate, options));
  return { site, result: mergeHostResults(results), activated: activated && deploy.mode === 'apply' };
}

/**
 * Each unit's header names the inputs its process was started with. After a rollback they are
 * those of another release, so the header says so: the next deploy then sees every unit changed
 * and restarts it on the release it activates.
 */
async function markUnitsRolledBack(executor: Executor, site: Site, from: string | undefined): Promise<void> {
  for (const service of site.services) {
    const path = `/etc/systemd/system/${service.unit}`;
    const text = await executor.readFile(path);
    if (text === undefined) continue;
    const marked = text.replace(/\(inputs [^)]*\)/, `(inputs of the release before ${from ?? 'a rollback'})`);
    if (marked !== text) await executor.writeFile(path, marked, { mode: 0o644 });
  }
}

/**
 * Puts a host back on its previous release: `current` swapped back, every unit of the host
 * restarted, then the health gate again. Returns the results and whether the gate passed. Never
 * throws: when `current` could not be swapped back, or the rollback broke off after that (the
 * connection dropped), `result` is undefined and `error` says why.
 */
export async function rollbackHost(
  deploy: Pick<HostDeploy, 'executor' | 'emit'>,
  site: Site,
): Promise<{ result: HostResult | undefined; ok: boolean; error?: string }> {
  const at = () => new Date().toISOString();
  const host = deploy.executor.host;
  const failed = (message: string) => {
    deploy.emit({ type: 'rollback_finished', at: at(), host, ok: false, error: message });
    return { result: undefined, ok: false, error: message };
  };
  let from: string | undefined;
  let to: string | undefined;
  try {
    const swap = await rollbackRelease(deploy.executor, site.appBase);
    from = swap.from;
    to = swap.to;
  } catch (error) {
    deploy.emit({ type: 'rollback_started', at: at(), host });
    return failed(error instanceof Error ? error.message : String(error));
  }
  deploy.emit({ type: 'rollback_started', at: at(), host, ...(from ? { from } : {}), ...(to ? { to } : {}) });
  try {
    await markUnitsRolledBack(deploy.executor, site, from);
    const options = { executor: deploy.executor, mode: 'apply' as const, onEvent: deploy.emit };
    const restart = {
      phases: [
        {
          name: 'rollback',
          steps: site.services.map((service) =>
            serviceStep({ unit: service.unit, action: 'restart', name: `restart ${service.unit}` }),
          ),
        },
      ],
      secrets: site.plan.secrets ?? [],
    };
    const results: [HostResult, ...HostResult[]] = [await runPlan(restart, options)];
    if (results[0]!.status !== 'failed') results.push(await runPlan(gatePlan(site), options));
    const result = mergeHostResults(results);
    const ok = result.status !== 'failed';
    deploy.emit({ type: 'rollback_finished', at: at(), host, ok });
    return { result, ok };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return failed(`current is back on ${to ?? 'the previous release'}, but the rollback broke off: ${why}`);
  }
}
