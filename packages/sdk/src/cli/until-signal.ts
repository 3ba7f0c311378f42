/**
 * An AbortSignal that aborts on the first SIGINT or SIGTERM. A second one exits at once (status
 * 130), for a shutdown that hangs.
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
export function untilSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
