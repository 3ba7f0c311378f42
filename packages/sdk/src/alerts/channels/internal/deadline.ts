import { type ChannelSendOptions, DEFAULT_CHANNEL_TIMEOUT_MS } from '../alert-channel.ts';
import { ChannelError } from '../channel-error.ts';

/** The signal one send runs under: the caller's, and its own timeout. */
export interface Deadline {
  signal: AbortSignal;
  timeoutMs: number;
  /** The error for a send that failed: aborted, timed out, or `fallback` when neither. */
  failure(channel: string, what: string, fallback: () => ChannelError): ChannelError;
}

/** Starts the timeout of one send. */
export function startDeadline(options: ChannelSendOptions = {}): Deadline {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHANNEL_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  return {
    signal,
    timeoutMs,
    failure(channel, what, fallback) {
      // The caller's abort first: a send stopped on purpose is not the receiver's fault.
      if (options.signal?.aborted) {
        return new ChannelError('aborted', `${what}: aborted`, {
          channel,
          retryable: true,
          cause: options.signal.reason,
        });
      }
      if (timeout.aborted) {
        return new ChannelError('timeout', `${what}: no answer within ${timeoutMs} ms`, { channel, retryable: true });
      }
      return fallback();
    },
  };
}
