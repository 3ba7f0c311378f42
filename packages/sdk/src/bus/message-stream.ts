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
   * Bytes of payloads (their JSON length) buffered for a slow reader before the stream fails: a
   * payload may be as large as a request body, so {@link maxBuffered} messages alone could hold
   * gigabytes. A single larger message is still buffered when nothing else is.
   * @default 16777216 (16 MiB)
   */
  maxBufferedBytes?: number;
}

/** What holding a message costs: its payload as JSON, most of it. */
const payloadBytes = (message: Message): number => JSON.stringify(message.payload ?? null).length;

/**
 * Every message stored for `agent` from the call on, as an async iterable, without consuming it
 * (the bus's `/stream` route and `fleet-bus tail`). A reader more than `maxBuffered` messages or
 * `maxBufferedBytes` of payloads behind gets a `FleetError('unavailable')` after the buffered ones,
 * and none of the messages after them. Ends when `signal` aborts or the iteration ends.
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
      sizeOf: payloadBytes,
      behind: (limit) => `stream for ${agent} fell more than ${limit} behind`,
    },
  );
}
