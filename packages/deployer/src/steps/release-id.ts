import { releaseId } from '@fleet/sdk/deploy';

/** The file in a release directory that says it is complete: it holds the bundle's SHA-256. */
export const BUNDLE_MARKER = '.fleet-bundle';

/**
 * A release's directory name: the SDK's `releaseId(at)` (UTC time, sorting by age), then the bundle
 * id, so that it names the bundle it holds.
 *
 * @example bundleReleaseId('3f2a9c1b7d0e', new Date('2025-06-01T12:30:00Z')) // '20250601T123000Z-3f2a9c1b7d0e'
 */
export function bundleReleaseId(bundleId: string, at: Date): string {
  return `${releaseId(at)}-${bundleId}`;
}
