import type { AlertMessage } from '../alert-message.ts';

/** How long a channel waits for its receiver by default, in milliseconds. */
export const DEFAULT_CHANNEL_TIMEOUT_MS = 10_000;

/** The `type` of a channel spec. */
export type ChannelType = 'webhook' | 'ntfy' | 'matrix' | 'slack' | 'email';

/** Options of one {@link AlertChannel.send}. */
export interface ChannelSendOptions {
  /** Stops the send; it then rejects with a ChannelError of code `aborted`. */
  signal?: AbortSignal;
  /** How long to wait for the receiver. @default 10000 */
  timeoutMs?: number;
}

/** A place alerts are delivered to, built from a channel spec by `createChannel`. */
export interface AlertChannel {
  /** The channel's name in the fleet file. */
  readonly name: string;
  /** The spec's `type`. */
  readonly type: ChannelType;
  /**
   * Delivers one alert. Resolves once the receiver accepted it; rejects with a ChannelError whose
   * `retryable` says whether sending it again may succeed.
   */
  send(message: AlertMessage, options?: ChannelSendOptions): Promise<void>;
}
