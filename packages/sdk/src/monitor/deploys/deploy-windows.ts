import type { FleetMonitor } from '../fleet-monitor.ts';
import { deployingHosts } from './apply-deploy-events.ts';
import type { DeployEventsResult, DeployRunLog } from './deploy-run-log.ts';

/** How long a deploy window lasts without news of its host: 15 minutes. */
export const DEFAULT_DEPLOY_WINDOW_MS = 15 * 60_000;

/**
 * Gives the monitor's deploy windows what a batch of deploy events did: each host of the run that
 * is being deployed gets (or keeps) a window of `windowMs` from `nowMs`, so its targets show
 * `deploying` and their failures do not count; each host that finished has its window ended, so
 * its targets are judged by their probes again. Every batch renews the window of the hosts still
 * deploying: a deployer that dies leaves its hosts `deploying` for at most `windowMs`.
 */
export function markDeployWindows(
  monitor: Pick<FleetMonitor, 'markHostDeploying'>,
  result: DeployEventsResult,
  nowMs: number,
  windowMs: number = DEFAULT_DEPLOY_WINDOW_MS,
): void {
  for (const host of deployingHosts(result.run)) monitor.markHostDeploying(host, nowMs + windowMs);
  for (const host of result.finished) monitor.markHostDeploying(host, nowMs);
}

/**
 * Opens again, after a restart, the deploy windows of the runs that were going on: each host a run
 * was deploying when its last batch arrived, less than `windowMs` ago, until that arrival plus
 * `windowMs`. Returns the hosts it marked.
 */
export function restoreDeployWindows(
  monitor: Pick<FleetMonitor, 'markHostDeploying'>,
  log: Pick<DeployRunLog, 'openWindows'>,
  windowMs: number = DEFAULT_DEPLOY_WINDOW_MS,
): string[] {
  const windows = log.openWindows(windowMs);
  for (const { host, untilMs } of windows) monitor.markHostDeploying(host, untilMs);
  return windows.map((window) => window.host);
}
