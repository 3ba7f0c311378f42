import { DeployError } from '../../errors.ts';
import { BACKSTOP_SLACK_MS, INTERNAL_TIMEOUT_MS } from './host-script.ts';
import { runChannel } from './run-channel.ts';
import type { SshConnection } from './ssh-connection.ts';

/** What {@link execLine} needs besides the connection and the line. */
export interface ExecLineOptions {
  /** @default '' */
  stdin?: string | Buffer;
  /** Ahead of the queue for a free channel. @default false */
  priority?: boolean;
  /** @default INTERNAL_TIMEOUT_MS + BACKSTOP_SLACK_MS (the host's `timeout` of {@link hostScript}) */
  backstopMs?: number;
  /** The error for a line sudo refused to run, from its output; for a sudo login. */
  sudoRefusal?: ((output: string) => DeployError | undefined) | undefined;
  /**
   * The error for a line the host's `timeout` stopped (exit 124, or 137 after SIGKILL) or the
   * backstop closed, instead of one made of its output (which is then whatever it printed, such as
   * a sudo warning, and does not say why it ended).
   */
  timedOut?: (() => Error) | undefined;
}

/** `timeout`'s exit status when it sent SIGTERM, and when it went on to SIGKILL. */
const TIMED_OUT_STATUSES: readonly (number | null)[] = [124, 137];

/**
 * Runs one of {@link SshExecutor}'s own short command lines: its stdout, or a rejection with its
 * output (the clear sudo error if sudo refused it).
 */
export async function execLine(
  connection: SshConnection,
  line: string,
  options: ExecLineOptions = {},
): Promise<string> {
  const result = await runChannel(connection, line, {
    stdin: options.stdin ?? '',
    priority: options.priority === true,
    maxOutputBytes: Number.MAX_SAFE_INTEGER,
    backstopMs: options.backstopMs ?? INTERNAL_TIMEOUT_MS + BACKSTOP_SLACK_MS,
  });
  if (result.exitCode !== 0) {
    if (options.timedOut && (result.closedByClient || TIMED_OUT_STATUSES.includes(result.exitCode))) {
      throw options.timedOut();
    }
    const refusal = options.sudoRefusal?.(result.output);
    if (refusal) throw refusal;
    const detail = result.output.trim() || `exit ${result.exitCode ?? result.signal ?? 'unknown'}`;
    throw new DeployError('executor_failed', detail, { output: result.output });
  }
  return result.stdout;
}
