import { type IncomingMessage, request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { KnowledgeClient } from '../../src/index.ts';
import { startTestKnowledge, type TestKnowledge } from '../_knowledge-server.ts';

let node: TestKnowledge;
let client: KnowledgeClient;

beforeAll(async () => {
  node = await startTestKnowledge();
  client = node.client();
});
afterAll(() => node.close());

/** What a `/watch` stream sent, read to its end or to the change of key `until`. */
interface WatchRead {
  keys: string[];
  error: unknown;
}

/**
 * Opens `GET /watch?prefix=` on a real socket and reads nothing until `stalled` has run (the socket
 * stops reading once its buffers are full), then reads the events until an `error` event or a
 * change of key `until`.
 */
async function watchStalled(prefix: string, until: string, stalled: () => Promise<void>): Promise<WatchRead> {
  const url = new URL(`/watch?prefix=${encodeURIComponent(prefix)}`, node.url);
  const req = request(url);
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve).once('error', reject).end();
  });
  expect(res.statusCode).toBe(200);
  await stalled();
  const read: WatchRead = { keys: [], error: undefined };
  await new Promise<void>((resolve, reject) => {
    let pending = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      pending += chunk;
      let end = pending.indexOf('\n\n');
      while (end !== -1) {
        const event = pending.slice(0, end);
        pending = pending.slice(end + 2);
        end = pending.indexOf('\n\n');
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (event.startsWith('event: error')) read.error = JSON.parse(data!);
        else if (event.startsWith('event: message')) read.keys.push((JSON.parse(data!) as { key: string }).key);
        if (read.error !== undefined || read.keys.at(-1) === until) return resolve();
      }
    });
    res.once('end', resolve).once('error', reject);
  });
  req.destroy();
  return read;
}

test('a /watch reader that stops reading gets unavailable once 16 MiB of values are held for it, far under 10,000 changes', async () => {
  const large = 'x'.repeat(250_000);
  const written = 160; // 40 MB: well past the limit plus what the socket buffers hold (about 5 MB)
  const read = await watchStalled('stalled/', 'stalled/end', async () => {
    for (let i = 0; i < written; i++) await client.put({ key: `stalled/${i}`, value: large });
    await client.put({ key: 'stalled/end', value: 'end' });
  });
  expect(read.error).toMatchObject({ error: { code: 'unavailable' } });
  expect(read.keys.length).toBeLessThan(written);
  expect(read.keys).toEqual(Array.from({ length: read.keys.length }, (_, i) => `stalled/${i}`));
});
