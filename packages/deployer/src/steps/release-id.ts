/** The file in a release directory that says it is complete: it holds the bundle's SHA-256. */
export const BUNDLE_MARKER = '.fleet-bundle';

/**
 * A release's directory name: `<UTC time YYYYMMDDTHHMMSSZ>-<bundle id>`, which sorts by time and
 * names the bundle it holds.
 *
 * @example releaseId('3f2a9c1b7d0e', new Date('2025-06-01T12:30:00Z')) // '20250601T123000Z-3f2a9c1b7d0e'
 */
export function releaseId(bundleId: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${stamp}-${bundleId}`;
}
