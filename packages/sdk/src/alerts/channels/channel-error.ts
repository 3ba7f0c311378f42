/**
 * Why a channel could not deliver an alert: `http_error` (the receiver answered with an error
 * status), `smtp_error` (the mail server refused), `timeout`, `network` (no connection), `aborted`
 * (the caller's signal), `unavailable` (an optional package the channel needs is missing).
 */
export type ChannelErrorCode = 'http_error' | 'smtp_error' | 'timeout' | 'network' | 'aborted' | 'unavailable';

/** What a {@link ChannelError} is built from, besides its code and message. */
export interface ChannelErrorOptions {
  /** The channel's name in the fleet file. */
  channel: string;
  /** Whether sending the same alert again may succeed. */
  retryable: boolean;
  /** The receiver's answer: an HTTP status or an SMTP reply code. */
  status?: number;
  /** How long the receiver asked to wait before a retry (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * A channel failed to deliver an alert. Its message never contains a secret of the channel
 * (tokens, passwords, webhook URLs beyond their origin).
 */
export class ChannelError extends Error {
  override name = 'ChannelError' as const;
  readonly code: ChannelErrorCode;
  /** The channel's name in the fleet file. */
  readonly channel: string;
  /** True when a later retry may succeed: timeouts, network errors, 5xx, 408 and 429. */
  readonly retryable: boolean;
  /** The receiver's answer: an HTTP status or an SMTP reply code. */
  readonly status: number | undefined;
  /** How long the receiver asked to wait before a retry, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ChannelErrorCode, message: string, options: ChannelErrorOptions) {
    super(message, { cause: options.cause });
    this.code = code;
    this.channel = options.channel;
    this.retryable = options.retryable;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** True for a {@link ChannelError}, also one from another copy of the SDK. */
export function isChannelError(error: unknown): error is ChannelError {
  return (
    error instanceof ChannelError ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { name?: unknown }).name === 'ChannelError' &&
      typeof (error as { retryable?: unknown }).retryable === 'boolean')
  );
}
