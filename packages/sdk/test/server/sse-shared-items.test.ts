import { describe, expect, test } from 'vitest';
import { HttpError } from '../../src/server/http-error.ts';
import { eventStreamResult } from '../../src/server/internal/sse.ts';

/** Reads a stream's body until it holds `count` message events, then cancels it. */
async function messages(body: ReadableStream<Uint8Array>, count: number): Promise<string[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const found = () => text.split('\n\n').filter((block) => block.startsWith('event: message'));
  while (found().length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  await reader.cancel();
  return found();
}

function open(source: AsyncIterable<unknown>) {
  const response = eventStreamResult(source, {
    controller: new AbortController(),
    keepAliveMs: 60_000,
    toError: () => new HttpError('internal', 'failed'),
    onEnd() {},
  });
  return response.body as ReadableStream<Uint8Array>;
}

describe('event streams share the encoding of an item', () => {
  test('an object handed to many streams is serialized once, and each stream sends it whole', async () => {
    let serialized = 0;
    const overview = {
      toJSON() {
        serialized += 1;
        return { html: '<p>fleet</p>'.repeat(1000) };
      },
    };
    async function* feed() {
      yield overview;
      yield { n: 2 };
    }
    const bodies = Array.from({ length: 20 }, () => open(feed()));
    const received = await Promise.all(bodies.map((body) => messages(body, 2)));
    expect(serialized).toBe(1);
    for (const events of received) {
      expect(events).toEqual([
        `event: message\ndata: ${JSON.stringify({ html: '<p>fleet</p>'.repeat(1000) })}`,
        'event: message\ndata: {"n":2}',
      ]);
    }
  });

  test('items that are not objects (and null) are sent as ever', async () => {
    async function* feed() {
      yield 'text';
      yield 7;
      yield null;
      yield undefined;
    }
    expect(await messages(open(feed()), 4)).toEqual([
      'event: message\ndata: "text"',
      'event: message\ndata: 7',
      'event: message\ndata: null',
      'event: message\ndata: null',
    ]);
  });
});
