import { FleetError } from '../errors.ts';
import type { Message } from '../schemas/message.ts';
import type { MessageStore } from './message-store.ts';

/** Options of {@link streamMessages}. */
export interface StreamMessagesOptions {
  /** Ends the stream. */
  signal?: AbortSignal;
  /** Messages buffered for a slow reader before the stream fails instead of growing without bound. @default 10000 */
  maxBuffered?: number;
}

/**
 * Every message stored for `agent` from now on, as an async iterable, without consuming it
 * (the bus's `/stream` route and `fleet-bus tail`). Ends when `signal` aborts.
 */
export async function* streamMessages(
  store: MessageStore,
  agent: string,
  options: StreamMessagesOptions = {},
): AsyncGenerator<Message> {
  const { signal, maxBuffered = 10_000 } = options;
  const buffer: Message[] = [];
  let wake: (() => void) | undefined;
  let overflow = false;
  const unsubscribe = store.onMessage((message) => {
    if (message.to !== agent) return;
    if (buffer.length >= maxBuffered) overflow = true;
    else buffer.push(message);
    wake?.();
  }, agent);
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      const next = buffer.shift();
      if (next) {
        yield next;
        continue;
      }
      if (overflow)
        throw new FleetError('unavailable', `stream for ${agent} fell more than ${maxBuffered} messages behind`);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}
