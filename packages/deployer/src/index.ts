/**
 * `@fleet/deployer`: deploys Fleet onto your own hosts with the `@fleet/sdk/deploy` runner. Release
 * bundles of the exact local build (`buildReleaseBundle`) and the step that installs one on a host
 * (`releaseBundleStep`); the `fleet-deploy` CLI.
 */

// Release bundles
export { buildReleaseBundle } from './bundle/build-release-bundle.ts';
export { packageBins, resolvePackageBin } from './bundle/resolve-package-bin.ts';
export { BundleError, isBundleError } from './errors.ts';

// Steps
export { releaseBundleStep } from './steps/release-bundle-step.ts';
export { findBundleRelease } from './steps/find-bundle-release.ts';
export { BUNDLE_MARKER, bundleReleaseId } from './steps/release-id.ts';

// Deploying a fleet file
export { deploy } from './deploy/deploy.ts';
export { rollbackFleet } from './deploy/rollback.ts';
export { auditFleet } from './deploy/audit.ts';
export { deployHistory, deployLockStatus, fleetDeployHistory, unlockDeploy } from './deploy/lock-host.ts';
export { buildFleetBundle, FLEET_BINS } from './deploy/fleet-bundle.ts';
export { rolloutBatches } from './deploy/batches.ts';
export { selectHosts } from './deploy/select-hosts.ts';
export { sshConnector } from './deploy/connect-host.ts';
export { DeployUsageError, isDeployUsageError } from './deploy/deploy-usage-error.ts';

// The site plan
export { gatePlan, SITE_PHASES, sitePlan, siteRelease } from './site/site-plan.ts';
export { MANAGED_UNIT_MARK } from './site/unit-file.ts';
export { hostServices } from './site/host-services.ts';
// One naming rule for units, shared with the fleet file's checks.
export { unitOf } from '@fleet/sdk/fleet';
export { siteLayout } from './site/layout.ts';

// The deploy webhook
export { startDeployHookServer } from './hook/start-deploy-hook-server.ts';
export { runShellDeploy, type ShellDeployOptions } from './hook/run-shell-deploy.ts';

// The CLI
export { deployCommand } from './main.ts';

// Types
export type { DeployOptions, DeployResult } from './deploy/deploy-options.ts';
export type { FleetSessionOptions } from './deploy/internal/fleet-session.ts';
export type { RollbackOptions } from './deploy/rollback.ts';
export type { AuditOptions, AuditResult } from './deploy/audit.ts';
export type { LockHostOptions } from './deploy/lock-host.ts';
export type { ConnectHost, SshSettings } from './deploy/connect-host.ts';
export type { HostSelection } from './deploy/select-hosts.ts';
export type { Site, SitePhase, SitePlanInput, SiteRelease } from './site/site-plan.ts';
export type { ConfigFile, HostService, HostServicesInput, ServicePhase } from './site/service-types.ts';
export type { SiteLayout } from './site/layout.ts';
export type {
  DeployHookLogger,
  DeployHookServerOptions,
  RunningDeployHookServer,
} from './hook/start-deploy-hook-server.ts';
export type { BuildReleaseBundleOptions, ReleaseBundle } from './bundle/build-release-bundle.ts';
export type { BundleErrorCode } from './errors.ts';
export type { ReleaseBundleStepOptions } from './steps/release-bundle-step.ts';
export type { FoundRelease } from './steps/find-bundle-release.ts';
