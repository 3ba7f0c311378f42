import { DeployError } from '../../errors.ts';
import { shellJoin } from '../../internal/shell-quote.ts';
import { BACKSTOP_SLACK_MS, INTERNAL_TIMEOUT_MS } from './host-script.ts';
import { stopCutOffLine, stopCutOffMs } from './stop-cut-off.ts';

/**
 * What lost connections left on a host: commands that may still run there (a lost connection
 * does not stop them: sshd just closes their pipes) and temp files no request could remove.
 * {@link sweep} stops and removes them on the next connection, before anything else runs.
 */
export class HostLeftovers {
  readonly #host: string;
  readonly #killGraceMs: number;
  // Marker of each cut-off run, and the user it runs as (the login user if `undefined`).
  readonly #runs = new Map<string, string | undefined>();
  readonly #tempFiles = new Set<string>();

  /** `killGraceMs`: how long a cut-off command has between SIGTERM and SIGKILL. */
  constructor(host: string, killGraceMs: number) {
    this.#host = host;
    this.#killGraceMs = killGraceMs;
  }

  /** Nothing is left over. */
  get empty(): boolean {
    return this.#runs.size === 0 && this.#tempFiles.size === 0;
  }

  /**
   * A {@link remoteCommand} run by `sudoUser` (the login user if `undefined`) that a lost connection
   * cut off while it may still run; `error` is why the run failed. Returns the error to report.
   */
  addRun(marker: string, sudoUser: string | undefined, error: unknown): DeployError {
    this.#runs.set(marker, sudoUser);
    const reason = error instanceof Error ? error.message : String(error);
    return new DeployError(
      'executor_failed',
      `${reason}; the command may still have been running on the host (it is stopped when the executor connects again)`,
      { cause: error },
    );
  }

  /** A temp file beside a target that may still be there. */
  addTempFile(path: string): void {
    this.#tempFiles.add(path);
  }

  /**
   * Removes every leftover temp file, then stops every leftover command and waits until it is gone
   * (SIGTERM, up to `killGraceMs`, then SIGKILL), in one command line that `exec` runs within
   * `backstopMs`. What it covered is forgotten once it succeeds; if a command could not be
   * confirmed gone it rejects, saying so, and everything is kept for the next try.
   */
  async sweep(exec: (line: string, backstopMs: number) => Promise<unknown>): Promise<void> {
    const runs = [...this.#runs];
    const tempFiles = [...this.#tempFiles];
    if (runs.length === 0 && tempFiles.length === 0) return;
    const byUser = new Map<string | undefined, string[]>();
    for (const [marker, user] of runs) byUser.set(user, [...(byUser.get(user) ?? []), marker]);
    // A temp file that cannot be removed does not hold anything up (as an `rm` of the request would).
    const remove = tempFiles.length > 0 ? [shellJoin(['rm', '-f', '--', ...tempFiles])] : [];
    // Every user's commands are stopped, whatever became of another's; any still there fails the line.
    const stops = [...byUser].map(([user, markers]) => `${stopCutOffLine(markers, user, this.#killGraceMs)} || s=1`);
    const backstopMs = INTERNAL_TIMEOUT_MS + BACKSTOP_SLACK_MS + byUser.size * stopCutOffMs(this.#killGraceMs);
    try {
      await exec(['s=0', ...remove, ...stops, 'exit $s'].join('; '), backstopMs);
    } catch (error) {
      if (runs.length === 0) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new DeployError(
        'executor_failed',
        `A command a lost connection cut off on ${this.#host} could not be confirmed stopped, so nothing more runs there until it is: ${reason}`,
        { cause: error },
      );
    }
    for (const [marker, user] of runs) if (this.#runs.get(marker) === user) this.#runs.delete(marker);
    for (const path of tempFiles) this.#tempFiles.delete(path);
  }
}
