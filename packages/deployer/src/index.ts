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
export { BUNDLE_MARKER, releaseId } from './steps/release-id.ts';

// Types
export type { BuildReleaseBundleOptions, ReleaseBundle } from './bundle/build-release-bundle.ts';
export type { BundleErrorCode } from './errors.ts';
export type { ReleaseBundleStepOptions } from './steps/release-bundle-step.ts';
export type { FoundRelease } from './steps/find-bundle-release.ts';
