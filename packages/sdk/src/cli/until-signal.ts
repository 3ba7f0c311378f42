import { stdoutLostSignal } from './internal/lost-output.ts';

/**
 * What stops a command: Ctrl-C, a service manager's stop, and the terminal it runs in closing
 * (SIGHUP, whose default action would end the process without its clean close).
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Options of {@link untilSignal}. */
export interface UntilSignalOptions {
  /**
   * Also abort once stdout's reader is gone (a write to it failed with EPIPE or EIO), for a
   * command that only prints what it follows (`fleet-bus tail | head -1` then ends with status 0).
   * It is noticed on the first write after the reader left.
   * @default false
   */
  outputLost?: boolean;
}

/**
 * An AbortSignal that aborts on the first SIGINT, SIGTERM or SIGHUP (and, with `outputLost`, once
 * stdout's reader is gone). A second SIGINT or SIGTERM exits at once (status 130), for a shutdown
 * that hangs; a second SIGHUP does not: a closing terminal sends it more than once (the kernel to
 * the shell and the foreground job, the shell on to its jobs).
 *
 * @example
 * ```ts
 * const stop = untilSignal();
 * try {
 *   for await (const item of client.watch('', { signal: stop.signal })) print(item);
 * } finally {
 *   stop.dispose();
 * }
 * ```
 */
export function untilSignal(options: UntilSignalOptions = {}): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const lost = options.outputLost ? stdoutLostSignal() : undefined;
  const onLost = () => controller.abort();
  if (lost?.aborted) controller.abort();
  else lost?.addEventListener('abort', onLost, { once: true });
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) controller.abort();
    else if (name !== 'SIGHUP') process.exit(130);
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose() {
      for (const name of STOP_SIGNALS) process.off(name, onSignal);
      lost?.removeEventListener('abort', onLost);
    },
  };
}
