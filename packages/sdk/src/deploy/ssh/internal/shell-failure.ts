import { DeployError } from '../../errors.ts';
import { failed } from '../../internal/executor-failure.ts';

/**
 * The error for one of {@link SshExecutor}'s own commands that failed to do `what` to `path` on
 * `host`: an owner or group the host does not know is named as such (`unknown_account`).
 */
export function shellFailure(what: string, path: string, host: string, error: unknown): Error {
  const output = error instanceof DeployError ? (error.output ?? '') : '';
  const account = /invalid (user|group): ['‘]?([^'’\n]*)/.exec(output);
  if (account) {
    return new DeployError('unknown_account', `Unknown ${account[1]} "${account[2]?.replace(/^:/, '')}" on ${host}`, {
      cause: error,
    });
  }
  return failed(what, path, error instanceof DeployError && error.output ? new Error(error.message) : error);
}
