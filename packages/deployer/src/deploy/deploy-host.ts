import {
  clearUnverifiedRelease,
  type DeployMode,
  type DeployRunEvent,
  type Executor,
  type HostResult,
  listReleases,
  mergeHostResults,
  type ReleaseList,
  runPlan,
  type UnverifiedRelease,
  unverifiedRelease,
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
  /**
   * Its `current` release moved in this run, or is one a killed run activated and no gate has
   * passed since (so a rollback has something to undo).
   */
  activated: boolean;
  /** Where a rollback of the host goes: the last release that passed its gate, when the host recorded it. */
  rollbackTo?: string;
}

/** A host's site plan, and what its releases were before the run, when they were read. */
export interface PreparedSite {
  site: Site;
  /** The host's releases as the run found them (read when it runs the release phase). */
  releasesAtStart?: ReleaseList;
}

/**
 * The host's site plan, with the release id chosen: the release already on the host whose name
 * ends in the content's hash (an unchanged redeploy), else a new one named by the time.
 */
export async function prepareSite(deploy: HostDeploy): Promise<PreparedSite> {
  const input = {
    fleet: deploy.fleet,
    fleetText: deploy.fleetText,
    host: deploy.host,
    phases: deploy.phases,
    now: deploy.now,
    ...(deploy.bundle ? { bundle: deploy.bundle } : {}),
  };
  const release = siteRelease(input);
  if (release.services.length === 0 || !deploy.phases.includes('release')) return { site: sitePlan(input) };
  const list = await listReleases(deploy.executor, release.appBase);
  const { releases, current } = list;
  return {
    site: sitePlan({ ...input, releases, ...(current === undefined ? {} : { current }) }),
    releasesAtStart: list,
  };
}

/**
 * The host's unverified current release (see `unverifiedRelease`); none when it cannot be read.
 * A run that activated nothing left the mark as the run found it, so the list read before the run
 * answers without another exec.
 */
async function unverifiedOf(
  deploy: HostDeploy,
  { site, releasesAtStart }: PreparedSite,
  activatedNow: boolean,
): Promise<UnverifiedRelease | undefined> {
  if (deploy.mode !== 'apply' || site.services.length === 0) return undefined;
  if (!activatedNow && releasesAtStart !== undefined) return releasesAtStart.unverified;
  return unverifiedRelease(deploy.executor, site.appBase).catch(() => undefined);
}

/**
 * Runs a host's site plan, then (in apply mode, when it went well and the host runs services) its
 * health gate. Never throws: failures are in the result.
 *
 * A release activated without its gate passing yet is marked unverified on the host (the site plan's
 * gated activation). So a run that finds the current release unverified, because a run killed
 * between its activation and its gate left it so, treats that activation as its own, even though its
 * own activation step has nothing left to do: it gates it, and a failure rolls it back, to the last
 * release that passed its gate (`rollbackTo`), not to `previous`, which may be another unverified one.
 * The mark goes once the gate passed.
 */
export async function deployHost(deploy: HostDeploy, prepared: PreparedSite): Promise<HostOutcome> {
  const { site } = prepared;
  const options = {
    executor: deploy.executor,
    mode: deploy.mode,
    onEvent: deploy.emit,
    ...(deploy.signal ? { signal: deploy.signal } : {}),
  };
  const results: [HostResult, ...HostResult[]] = [await runPlan(site.plan, options)];
  const first = results[0]!;
  const activatedNow = first.phases.some((phase) =>
    phase.steps.some(
      (step) => step.kind === 'release' && step.step.startsWith('activate release') && step.status === 'changed',
    ),
  );
  const unverified = await unverifiedOf(deploy, prepared, activatedNow);
  const gate = gatePlan(site);
  const runsServices = deploy.phases.some((phase) =>
    ['fleet', 'ollama', 'gitea', 'conduit', 'wizards'].includes(phase),
  );
  if (first.status !== 'failed' && runsServices && gate.phases.length > 0) results.push(await runPlan(gate, options));
  const result = mergeHostResults(results);
  if (unverified !== undefined && runsServices && result.status !== 'failed') {
    // Left behind, the mark only sends a later failed deploy back to an older verified release.
    await clearUnverifiedRelease(deploy.executor, site.appBase, unverified.release).catch(() => undefined);
  }
  const owned = activatedNow || (unverified !== undefined && deploy.phases.includes('release'));
  return {
    site,
    result,
    activated: owned && deploy.mode === 'apply',
    ...(unverified?.verified === undefined ? {} : { rollbackTo: unverified.verified }),
  };
}
