import type { DeployLockStatus } from './deploy-lock-status.ts';

/**
 * Why a deploy lock was not had: `deploy_locked` someone else holds it (and it is not stale);
 * `deploy_lock_lost` a held lock could not be kept (its heartbeat failed for too long, or it was
 * force-unlocked or taken over).
 */
export type DeployLockErrorCode = 'deploy_locked' | 'deploy_lock_lost';

/** The deploy lock is held by someone else, or was lost. The message names the holder. */
export class DeployLockError extends Error {
  override name = 'DeployLockError' as const;
  /** Machine-readable reason. */
  readonly code: DeployLockErrorCode;
  /** Who holds it, when that is known. */
  readonly holder: DeployLockStatus | undefined;

  constructor(
    code: DeployLockErrorCode,
    message: string,
    options: { holder?: DeployLockStatus | undefined; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.holder = options.holder;
  }
}

/** True for a {@link DeployLockError}, also one from another copy of the SDK. */
export function isDeployLockError(error: unknown): error is DeployLockError {
  return (
    error instanceof DeployLockError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'DeployLockError' &&
      typeof (error as { code?: unknown }).code === 'string')
  );
}
