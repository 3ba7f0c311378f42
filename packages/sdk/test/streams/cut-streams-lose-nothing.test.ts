import { afterEach, expect, test, vi } from 'vitest';
import { MemoryMessageStore } from '../../src/bus/memory-store.ts';
import type { MessageStore } from '../../src/bus/message-store.ts';
import { streamMessages } from '../../src/bus/message-stream.ts';
import { busRoutes, knowledgeRoutes, type Message } from '../../src/index.ts';
import { SendInput } from '../../src/schemas/message.ts';
import { createFleetServer, type FleetServer, implement, type RouteImplementation } from '../../src/server/index.ts';
import { watchChanges } from '../../src/stores/index.ts';
import { fact, openDb } from '../knowledge/_knowledge.ts';
import { openUnread, readStream } from './_unread-response.ts';

let server: FleetServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server with `routes` and a 20 ms keepalive, listening on a free port. */
async function serve(routes: RouteImplementation[]): Promise<string> {
  server = createFleetServer({ service: 'streams', version: '0.0.0', sseKeepAliveMs: 20, routes });
  return (await server.listen({ port: 0 })).url;
}

/** `subscribe`, counting the listeners it has now. */
function counted<L>(subscribe: (listener: L) => () => void) {
  let listening = 0;
  return {
    get listening() {
      return listening;
    },
    subscribe(listener: L): () => void {
      listening += 1;
      const unsubscribe = subscribe(listener);
      return () => {
        listening -= 1;
        unsubscribe();
      };
    },
  };
}

test('a bus /stream nobody reads lets go of what it held and ends, and every message sent stays queued', async () => {
  const store = new MemoryMessageStore();
  const messages = counted<(message: Message) => void>((listener) => store.onMessage(listener, 'stalled'));
  const signals: AbortSignal[] = [];
  const url = await serve([
    implement(busRoutes.stream, ({ query, signal }) => {
      signals.push(signal);
      return streamMessages({ onMessage: messages.subscribe } as unknown as MessageStore, query.agent, { signal });
    }),
  ]);
  const res = await openUnread(url, '/stream?agent=stalled');
  await vi.waitFor(() => expect(messages.listening).toBe(1));
  const payload = 'p'.repeat(1024 * 1024);
  const sent: string[] = [];
  // 24 MiB: past the 16 MiB a stream holds, and past what the sockets buffer.
  for (let n = 0; n < 24; n++) {
    const { messages: copies } = await store.send(SendInput.parse({ from: 'a', to: 'stalled', payload }));
    sent.push(copies[0]!.id);
  }
  // With nothing read, the stream drops what it held, stops listening and ends on its own.
  await vi.waitFor(() => expect(signals[0]?.aborted).toBe(true), { timeout: 10_000 });
  expect(messages.listening).toBe(0);
  const read = await readStream(res);
  const ids = read.messages.map((message) => (message as { id: string }).id);
  expect(ids).toEqual(sent.slice(0, ids.length));
  expect(ids.length).toBeLessThan(sent.length);
  // Unless it was cut off for not reading, the answer ends with `unavailable`.
  if (read.ending === 'end') expect(read.error).toMatchObject({ error: { code: 'unavailable' } });
  // The stream only shows messages: none was leased or consumed by it.
  const deliveries = await store.lease({ agent: 'stalled', limit: 100, leaseSeconds: 60 });
  expect(deliveries.map((delivery) => delivery.message.id)).toEqual(sent);
  await store.close();
}, 20_000);

test('a knowledge /watch nobody reads lets go of what it held and ends', async () => {
  const db = openDb();
  const changes = counted<Parameters<typeof db.onChange>[0]>((listener) => db.onChange(listener));
  const signals: AbortSignal[] = [];
  const url = await serve([
    implement(knowledgeRoutes.watch, ({ query, signal }) => {
      signals.push(signal);
      return watchChanges({ onChange: changes.subscribe }, { prefix: query.prefix, signal });
    }),
  ]);
  const res = await openUnread(url, '/watch?prefix=k');
  await vi.waitFor(() => expect(changes.listening).toBe(1));
  const value = 'v'.repeat(250_000);
  const keys = Array.from({ length: 80 }, (_, n) => `k${n}`);
  // 20 MB of values: past the 16 MiB a watch holds, and past what the sockets buffer.
  for (const key of keys) db.put(fact({ key, value }));
  await vi.waitFor(() => expect(signals[0]?.aborted).toBe(true), { timeout: 10_000 });
  expect(changes.listening).toBe(0);
  const read = await readStream(res);
  const seen = read.messages.map((change) => (change as { key: string }).key);
  expect(seen).toEqual(keys.slice(0, seen.length));
  expect(seen.length).toBeLessThan(keys.length);
  if (read.ending === 'end') expect(read.error).toMatchObject({ error: { code: 'unavailable' } });
}, 20_000);
