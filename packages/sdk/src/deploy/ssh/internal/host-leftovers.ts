import { stopCommand } from '../../internal/remote-command.ts';
import { shellJoin } from '../../internal/shell-quote.ts';

/**
 * What lost connections left on a host: commands that may still run there (a lost connection
 * does not stop them: sshd just closes their pipes) and temp files no request could remove.
 * {@link sweep} stops and removes them on the next connection, before anything else runs.
 */
export class HostLeftovers {
  // Keyed by marker or path, each with the command line that cleans it up.
  readonly #lines = new Map<string, string>();

  /** Nothing is left over. */
  get empty(): boolean {
    return this.#lines.size === 0;
  }

  /** A {@link remoteCommand} run by `sudoUser` (the login user if `undefined`) that may still run. */
  addRun(marker: string, sudoUser: string | undefined): void {
    this.#lines.set(marker, stopCommand(marker, 'TERM', sudoUser));
  }

  /** A temp file beside a target that may still be there. */
  addTempFile(path: string): void {
    this.#lines.set(path, shellJoin(['rm', '-f', '--', path]));
  }

  /**
   * Stops every leftover command (SIGTERM to its `timeout`, which passes it to the command's process
   * group and SIGKILLs it after the grace) and removes every leftover temp file, in one command line
   * that `exec` runs. What it covered is forgotten once it succeeds; kept if it fails.
   */
  async sweep(exec: (line: string) => Promise<unknown>): Promise<void> {
    const entries = [...this.#lines];
    if (entries.length === 0) return;
    // `pkill` exits 1 when it found nothing: each line runs whatever the one before did.
    await exec([...entries.map(([, line]) => line), 'true'].join('; '));
    for (const [key, line] of entries) if (this.#lines.get(key) === line) this.#lines.delete(key);
  }
}
