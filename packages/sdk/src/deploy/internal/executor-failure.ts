import { DeployError } from '../errors.ts';
import { isHostKeyError } from '../ssh/host-key-error.ts';

/** An executor failure naming what it did to which path; a DeployError or HostKeyError as it is. */
export function failed(what: string, path: string, cause: unknown): Error {
  // A refused host key is reported as it is: it names both fingerprints and what to do.
  if (cause instanceof DeployError || isHostKeyError(cause)) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DeployError('executor_failed', `Could not ${what} ${path}: ${reason}`, { cause });
}
