/**
 * Why a release bundle could not be built. One union, so a caller can branch on the code and a new
 * code cannot be half-added.
 */
export type BundleErrorCode =
  /** A bin file to bundle does not exist, or its package.json does not list it. */
  | 'bin_not_found'
  /** A dependency a bin's package declares is not installed. */
  | 'dependency_missing'
  /** A file or symlink target of the trace lies outside the bundle's root. */
  | 'outside_root'
  /** The trace could not resolve a file the bins import (often: a package not built yet). */
  | 'unresolved_import';

/** An error of {@link buildReleaseBundle}: the local build cannot be bundled as it is. */
export class BundleError extends Error {
  override name = 'BundleError' as const;
  /** Machine-readable reason. */
  readonly code: BundleErrorCode;

  constructor(code: BundleErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
  }
}

/** True for a {@link BundleError}, also one from another copy of this package. */
export function isBundleError(error: unknown): error is BundleError {
  return (
    error instanceof BundleError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'BundleError' &&
      typeof (error as { code?: unknown }).code === 'string')
  );
}
