import {
  type DeployMode,
  type DeployRunEvent,
  type Executor,
  type HostResult,
  listReleases,
  mergeHostResults,
  runPlan,
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
