import { describe, expect, test } from 'vitest';
import { MemoryMessageStore } from '../src/bus/memory-store.ts';
import { streamMessages } from '../src/bus/message-stream.ts';
import { isFleetError } from '../src/errors.ts';
import { SendInput } from '../src/schemas/message.ts';

const send = (store: MemoryMessageStore, to: string, payload: unknown) =>
  store.send(SendInput.parse({ from: 'a', to, payload }));

/** Reads the stream to its end: the payloads it yielded, and the error it ended with. */
async function drain(stream: AsyncGenerator<{ payload: unknown }>): Promise<{ payloads: unknown[]; error: unknown }> {
  const payloads: unknown[] = [];
  try {
    for await (const message of stream) payloads.push(message.payload);
    return { payloads, error: undefined };
  } catch (error) {
    return { payloads, error };
  }
}

describe('streamMessages', () => {
  test('a reader that falls more than maxBufferedBytes of messages behind has them dropped and gets unavailable next', async () => {
    const store = new MemoryMessageStore();
    const stream = streamMessages(store, 'b', { maxBufferedBytes: 10_000 });
    // Some 3,300 bytes as JSON each, the message around the payload included: three fit in 10,000.
    const large = 'x'.repeat(3_000);
    for (let n = 0; n < 3; n++) await send(store, 'b', { n, large });
    await send(store, 'c', 'not for b');
    expect((await stream.next()).value?.payload).toEqual({ n: 0, large }); // room again: 2 held
    await send(store, 'b', { n: 3, large });
    await send(store, 'b', { n: 4, large }); // past the limit: the held ones are dropped
    const read = await drain(stream);
    expect(read.payloads).toEqual([]);
    expect(isFleetError(read.error) && read.error.code).toBe('unavailable');
    expect((read.error as Error).message).toBe('stream for b fell more than 10000 bytes behind');
    await store.close();
  });

  test('after a message was dropped, no later one is delivered, even once there is room again', async () => {
    const store = new MemoryMessageStore();
    const stream = streamMessages(store, 'b', { maxBuffered: 2 });
    for (let n = 0; n < 3; n++) await send(store, 'b', n); // the third drops them all
    await send(store, 'b', 3);
    const read = await drain(stream);
    expect(read.payloads).toEqual([]);
    expect((read.error as Error).message).toBe('stream for b fell more than 2 messages behind');
    await store.close();
  });

  test('a single message larger than maxBufferedBytes is delivered when nothing else is held', async () => {
    const store = new MemoryMessageStore();
    const controller = new AbortController();
    const stream = streamMessages(store, 'b', { maxBufferedBytes: 100, signal: controller.signal });
    await send(store, 'b', 'y'.repeat(1_000));
    expect((await stream.next()).value?.payload).toBe('y'.repeat(1_000));
    controller.abort();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    await store.close();
  });

  test('a stream ended before its first read stops listening', async () => {
    const store = new MemoryMessageStore();
    let listening = 0;
    const onMessage = store.onMessage.bind(store);
    store.onMessage = (listener, agent) => {
      listening++;
      const unsubscribe = onMessage(listener, agent);
      return () => {
        listening--;
        unsubscribe();
      };
    };
    const stream = streamMessages(store, 'b');
    expect(listening).toBe(1);
    await stream.return(undefined);
    expect(listening).toBe(0);
    await expect(streamMessages(store, 'b').throw(new Error('stop'))).rejects.toThrow('stop');
    expect(listening).toBe(0);
    await store.close();
  });

  test('listens from the call, not from the first read', async () => {
    const store = new MemoryMessageStore();
    const controller = new AbortController();
    const stream = streamMessages(store, 'b', { signal: controller.signal });
    await send(store, 'b', 'sent before the first read');
    expect((await stream.next()).value?.payload).toBe('sent before the first read');
    controller.abort();
    await store.close();
  });
});
