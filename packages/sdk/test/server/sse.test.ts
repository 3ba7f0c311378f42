import { afterEach, describe, expect, test } from 'vitest';
import { type Harness, modes, readEvents, startToy } from './_toy.ts';

describe.each(modes)('event streams (%s)', (mode) => {
  let toy: Harness;
  afterEach(() => toy.close());

  test('delivers each item as an event: message with JSON data', async () => {
    toy = await startToy(mode);
    const abort = new AbortController();
    const response = await toy.request('/stream?count=3', { signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toContain('no-cache');
    const blocks: string[] = [];
    expect(await readEvents(response.body!.getReader(), 3, blocks)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(blocks.filter((block) => block.startsWith('event:'))).toEqual([
      'event: message\ndata: {"n":0}',
      'event: message\ndata: {"n":1}',
      'event: message\ndata: {"n":2}',
    ]);
    abort.abort();
  });

  test("the handler's signal aborts when the client disconnects", async () => {
    toy = await startToy(mode);
    const abort = new AbortController();
    const response = await toy.request('/stream?count=1', { signal: abort.signal });
    const reader = response.body!.getReader();
    await readEvents(reader, 1);
    if (mode === 'http') abort.abort();
    else await reader.cancel();
    expect(await toy.probe.streamEnded.promise).toEqual({ aborted: true });
  });

  test('sends a keepalive ping event while idle (an event, which a browser EventSource sees)', async () => {
    toy = await startToy(mode, { sseKeepAliveMs: 10 });
    const abort = new AbortController();
    const response = await toy.request('/stream?count=0', { signal: abort.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: ping\ndata: {}\n\n')) text += decoder.decode((await reader.read()).value);
    expect(text.startsWith(': connected\n\n')).toBe(true);
    abort.abort();
  });

  test('an invalid query is an error envelope, not a stream', async () => {
    toy = await startToy(mode);
    const response = await toy.request('/stream?count=-1');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  test('close() ends open streams and aborts their signal', async () => {
    toy = await startToy(mode);
    const response = await toy.request('/stream?count=1');
    const reader = response.body!.getReader();
    await readEvents(reader, 1);
    await toy.close();
    expect(await toy.probe.streamEnded.promise).toEqual({ aborted: true });
    // The stream ends cleanly: the reader drains to done.
    while (!(await reader.read()).done) {}
  });
});
