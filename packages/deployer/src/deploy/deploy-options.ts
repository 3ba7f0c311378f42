import type { DeployMode, DeployRun } from '@fleet/sdk/deploy';
import type { ReleaseBundle } from '../bundle/build-release-bundle.ts';
import type { SitePhase } from '../site/site-plan.ts';
import type { DashboardTarget } from './dashboard-reporter.ts';
import type { FleetSessionOptions } from './internal/fleet-session.ts';

/** Options of {@link deploy}. */
export interface DeployOptions extends FleetSessionOptions {
  /** `plan` checks every host and changes nothing (no lock, no history); `apply` deploys. */
  mode: DeployMode;
  /** Phases to run. @default every site phase */
  phases?: readonly SitePhase[];
  /** Stops the deploy between steps; the lock is released and the run recorded. */
  signal?: AbortSignal;
  /** The release bundle to install. @default built from the Fleet packages installed next to the deployer */
  bundle?: ReleaseBundle;
  /** Wait this long for a deploy lock another run holds. @default 0: fail at once, naming the holder */
  lockWaitMs?: number;
  /** When a host fails its gate. @default the fleet file's `deploy.rollback` */
  rollback?: 'all' | 'host' | 'none';
  /** Recorded in history. @default 'cli' */
  trigger?: string;
  /** The commit deployed, for history and the lock. */
  commit?: string;
  /** Why, for history and the lock. */
  message?: string;
  /**
   * Where an apply run reports its events as it goes (best effort): a dashboard's URL and token,
   * or `false`. @default the fleet file's first `dashboard` service, with its token
   */
  dashboard?: DashboardTarget;
}

/** What {@link deploy} did. */
export interface DeployResult {
  /** The run as history records it (also for plan mode, which records nothing). */
  run: DeployRun;
  /** Hosts put back on their previous release after a failed gate. */
  rolledBack: string[];
  /** The first failure, when the run failed: where and what it saw. */
  failure?: { host: string; phase: string; step: string; error: string };
}
