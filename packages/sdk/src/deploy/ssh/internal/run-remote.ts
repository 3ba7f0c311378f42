import type { DeployError } from '../../errors.ts';
import type { RunResult } from '../../executor.ts';
import { type RemoteCommand, stopCommand } from '../../internal/remote-command.ts';
import { BACKSTOP_SLACK_MS } from './host-script.ts';
import { runChannel } from './run-channel.ts';
import type { SshConnection } from './ssh-connection.ts';
import { stopRemote } from './stop-remote.ts';

/** What {@link runRemote} needs besides the connection and the command. */
export interface RemoteRunOptions {
  /** `performance.now()` when the run was asked for. */
  started: number;
  timeoutMs: number;
  killGraceMs: number;
  maxOutputBytes: number;
  /** Whom the command runs as through `sudo -n -u` (the login user if `undefined`). */
  sudoUser: string | undefined;
  signal: AbortSignal | undefined;
  /** Runs one of the executor's own command lines on the same connection (to stop an aborted run). */
  exec: (line: string) => Promise<unknown>;
  /** Called once the command has its stdin: from then on it may run on the host. */
  onStarted: () => void;
  /** The error for a command sudo refused to run, from its output (`undefined` if it was not that). */
  sudoRefusal: (output: string) => DeployError | undefined;
}

/** The result of a run aborted before its command started: timed out, no exit code. */
export function notRunResult(started: number): RunResult {
  const durationMs = performance.now() - started;
  return { exitCode: null, signal: null, timedOut: true, stdout: '', output: '', durationMs };
}

/**
 * Runs a {@link remoteCommand} over `connection` for {@link SshExecutor.run}; an abort stops it on
 * the host (one aborted before it started gets {@link notRunResult}). Rejects when sudo refused it
 * or the connection was lost.
 */
export async function runRemote(
  connection: SshConnection,
  remote: RemoteCommand,
  options: RemoteRunOptions,
): Promise<RunResult> {
  const { timeoutMs, sudoUser } = options;
  let aborted = false;
  const stop = async (): Promise<boolean> => {
    await options.exec(stopCommand(remote.marker, 'TERM', sudoUser));
    return true;
  };
  const running = runChannel(connection, remote.line, {
    stdin: remote.stdin,
    maxOutputBytes: options.maxOutputBytes,
    backstopMs: timeoutMs + options.killGraceMs + BACKSTOP_SLACK_MS,
    signal: options.signal,
    onStarted: options.onStarted,
    // Stops the host's `timeout`, which stops the command's whole process group (then SIGKILLs it).
    onAbort: () => {
      aborted = true;
      void stopRemote(stop, running);
    },
  });
  const result = await running;
  if (result.notStarted) return notRunResult(options.started);
  const refusal = sudoUser !== undefined && result.exitCode === 1 ? options.sudoRefusal(result.output) : undefined;
  if (refusal) throw refusal;
  const durationMs = performance.now() - options.started;
  const code = result.exitCode;
  // `timeout` exits 124 when SIGTERM did it; with SIGKILL it kills its own process group, itself too.
  const killedBy = result.signal ?? (code === 137 ? 'SIGKILL' : code === 124 || code === 143 ? 'SIGTERM' : null);
  const timedOut = aborted || result.closedByClient || (durationMs >= timeoutMs && killedBy !== null);
  return {
    exitCode: timedOut ? null : code,
    signal: timedOut ? killedBy : result.signal,
    timedOut,
    stdout: result.stdout,
    output: result.output,
    durationMs,
  };
}
