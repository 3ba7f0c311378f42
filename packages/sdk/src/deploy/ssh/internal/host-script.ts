import { shellJoin } from '../../internal/shell-quote.ts';
import { limitSeconds } from './write-limit.ts';

/** How long the host lets one of the executor's own commands (probe, lookup, file operation) run, in ms. */
export const INTERNAL_TIMEOUT_MS = 120_000;
/** After the host's own timeout and kill grace, how long the client waits before closing the channel. */
export const BACKSTOP_SLACK_MS = 10_000;

/** Between the host's SIGTERM and SIGKILL of one of the executor's own commands (`timeout -k`), in ms. */
export const INTERNAL_KILL_GRACE_MS = 5_000;

/**
 * The command line for one of the executor's own `sh` scripts: `script` is fixed text and `args`
 * its positional parameters (quoted, never spliced into it), under `timeout` on the host (`limitMs`,
 * then SIGTERM; SIGKILL {@link INTERNAL_KILL_GRACE_MS} later), and as root through `sudo -n` when
 * `sudo` is set (never prompting: a password it would need is an error).
 */
export function hostScript(
  script: string,
  args: readonly string[],
  sudo: boolean,
  limitMs: number = INTERNAL_TIMEOUT_MS,
): string {
  const limit = `${limitSeconds(limitMs)}s`;
  const words = ['timeout', '-k', `${limitSeconds(INTERNAL_KILL_GRACE_MS)}s`, limit, 'sh', '-c', script, 'sh', ...args];
  return shellJoin(sudo ? ['sudo', '-n', '--', ...words] : words);
}
