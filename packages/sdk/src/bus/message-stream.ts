import { boundedFeed } from '../internal/bounded-feed.ts';
import type { Message } from '../schemas/message.ts';
import type { MessageStore } from './message-store.ts';

/** Options of {@link streamMessages}. */
export interface StreamMessagesOptions {
  /** Ends the stream. */
  signal?: AbortSignal;
  /** Messages buffered for a slow reader before the stream fails instead of growing without bound. @default 10000 */
  maxBuffered?: number;
  /**
   * Bytes of messages buffered for a slow reader before the stream fails: each is held as its JSON
   * in UTF-8 and counted as such. A payload may be as large as a request body, so
   * {@link maxBuffered} messages alone could hold gigabytes. A single larger message is still
   * buffered when nothing else is.
   * @default 16777216 (16 MiB)
   */
  maxBufferedBytes?: number;
}

/**
 * Every message stored for `agent` from the call on, as an async iterable, without consuming it
 * (the bus's `/stream` route and `fleet-bus tail`): nothing is leased, so a stream that ends or
 * fails loses no message. A reader that falls more than `maxBuffered` messages or
 * `maxBufferedBytes` of messages behind has the buffered ones dropped at once and gets a
 * `FleetError('unavailable')` on its next read, and none of the messages after them. Ends when
 * `signal` aborts or the iteration ends.
 */
export function streamMessages(
  store: MessageStore,
  agent: string,
  options: StreamMessagesOptions = {},
): AsyncGenerator<Message, void, undefined> {
  const { signal, maxBuffered = 10_000, maxBufferedBytes = 16 * 1024 * 1024 } = options;
  return boundedFeed<Message>(
    (push) =>
      store.onMessage((message) => {
        if (message.to === agent) push(message);
      }, agent),
    {
      signal,
      maxItems: maxBuffered,
      itemsName: 'messages',
      maxBytes: maxBufferedBytes,
      behind: (limit) => `stream for ${agent} fell more than ${limit} behind`,
    },
  );
}
