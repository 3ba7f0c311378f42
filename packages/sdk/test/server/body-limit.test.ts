import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { envelopeOf, type Harness, modes, post, startToy } from './_toy.ts';

const LIMIT = 1024;

/** A JSON body of about `size` bytes, sent as a stream (chunked: no content-length). */
function streamedBody(size: number): RequestInit {
  const json = JSON.stringify({ messages: [{ to: 'a', text: 'x'.repeat(size) }] });
  const bytes = new TextEncoder().encode(json);
  const chunk = 256;
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit;
}

describe.each(modes)('body limit (%s)', (mode) => {
  let toy: Harness;
  beforeAll(async () => {
    toy = await startToy(mode, { bodyLimitBytes: LIMIT });
  });
  afterAll(() => toy.close());

  test('a body whose content-length is over the limit is payload_too_large', async () => {
    const init = post({ messages: [{ to: 'a', text: 'x'.repeat(2 * LIMIT) }] });
    expect(await envelopeOf(await toy.request('/messages', init))).toMatchObject({
      status: 413,
      code: 'payload_too_large',
      details: { limitBytes: LIMIT },
    });
  });

  test('a chunked body is counted as it streams and refused past the limit', async () => {
    expect(await envelopeOf(await toy.request('/messages', streamedBody(4 * LIMIT)))).toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
  });

  test('a chunked body under the limit is read whole', async () => {
    const response = await toy.request('/messages', streamedBody(LIMIT / 2));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ sent: 1 });
  });

  test('the server keeps serving after refusing a body', async () => {
    await toy.request('/messages', post({ messages: [{ to: 'a', text: 'x'.repeat(8 * LIMIT) }] }));
    const response = await toy.request('/messages', post({ messages: [{ to: 'a' }] }));
    expect(response.status).toBe(201);
  });
});
