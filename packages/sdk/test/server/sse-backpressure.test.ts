import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { HttpError } from '../../src/server/http-error.ts';
import { eventStreamResult } from '../../src/server/internal/sse.ts';

const KEEPALIVE_MS = 1_000;
const PING = 'event: ping\ndata: {}\n\n';

/** A source that yields `items` (made on demand, so only as fast as the stream takes them), then waits for the abort. */
function source(signal: AbortSignal, item: (n: number) => unknown, items = Number.POSITIVE_INFINITY) {
  const state = { ended: false };
  async function* feed() {
    try {
      for (let n = 0; n < items; n++) yield item(n);
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    } finally {
      state.ended = true;
    }
  }
  return { feed: feed(), state };
}

/** An event stream over a source built from its signal, with what it reports. */
function open(item: (n: number) => unknown, items?: number) {
  const controller = new AbortController();
  const { feed, state } = source(controller.signal, item, items);
  let ends = 0;
  const response = eventStreamResult(feed, {
    controller,
    keepAliveMs: KEEPALIVE_MS,
    toError: () => new HttpError('internal', 'failed'),
    onEnd: () => {
      ends += 1;
    },
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  return { controller, reader, state, ends: () => ends };
}

/** The chunks the stream has queued for its reader now, as text (a read that would wait is left pending). */
async function queued(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const next = await Promise.race([
      reader.read(),
      new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined))),
    ]);
    if (next === undefined || next.done) return text;
    text += decoder.decode(next.value);
  }
}

const count = (text: string, part: string) => text.split(part).length - 1;

describe('event streams and a reader that falls behind', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('no ping is queued while the reader has not taken what was queued before it', async () => {
    const stream = open((n) => ({ n }), 0);
    await vi.advanceTimersByTimeAsync(3 * KEEPALIVE_MS);
    const text = await queued(stream.reader);
    expect(text.startsWith(': connected\n\n')).toBe(true);
    expect(count(text, PING)).toBeLessThanOrEqual(1);
    stream.controller.abort();
  });

  test('a reader that takes nothing for four keepalive intervals is cut off: the stream errors and the source ends', async () => {
    const stream = open(() => ({ blob: 'x'.repeat(100_000) }));
    // The reader takes the opening comment and the start of the first event, then nothing.
    await stream.reader.read();
    await stream.reader.read();
    await vi.advanceTimersByTimeAsync(6 * KEEPALIVE_MS);
    expect(stream.controller.signal.aborted).toBe(true);
    expect(stream.ends()).toBe(1);
    await expect(stream.reader.read()).rejects.toThrow(/stalled/);
    await vi.waitFor(() => expect(stream.state.ended).toBe(true));
  });

  test('a reader that keeps taking, however slowly, is not cut off, and a large event reaches it whole between pings', async () => {
    const blob = 'y'.repeat(300_000);
    const stream = open((n) => ({ n, blob }), 2);
    let text = '';
    // One chunk per keepalive interval: far slower than the events are produced.
    const last = `${JSON.stringify({ n: 1, blob })}\n\n`;
    for (let i = 0; i < 40 && !text.endsWith(last); i++) {
      await vi.advanceTimersByTimeAsync(KEEPALIVE_MS);
      const { value } = await stream.reader.read();
      text += new TextDecoder().decode(value);
    }
    expect(stream.controller.signal.aborted).toBe(false);
    const events = text.split('\n\n').filter((block) => block.startsWith('event: message'));
    expect(events).toEqual([
      `event: message\ndata: ${JSON.stringify({ n: 0, blob })}`,
      `event: message\ndata: ${JSON.stringify({ n: 1, blob })}`,
    ]);
    for (const block of text.split('\n\n').filter(Boolean)) {
      expect(block === ': connected' || block === 'event: ping\ndata: {}' || block.startsWith('event: message')).toBe(
        true,
      );
    }
    stream.controller.abort();
  });
});
