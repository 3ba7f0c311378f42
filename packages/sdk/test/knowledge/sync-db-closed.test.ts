import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { SyncEngine } from '../../src/stores/index.ts';
import { openDb } from './_knowledge.ts';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  unhandled.length = 0;
});

test('a background attempt that fails after its database closed is logged, not an unhandled rejection', async () => {
  process.on('unhandledRejection', onUnhandled);
  let answer: ServerResponse | undefined;
  let asked!: () => void;
  const request = new Promise<void>((resolve) => {
    asked = resolve;
  });
  const peer = createServer((_req, res) => {
    answer = res;
    asked();
  });
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  const db = openDb({ nodeId: 'a' });
  db.addPeer({ id: 'b', url: `http://127.0.0.1:${(peer.address() as AddressInfo).port}` });
  const warnings: string[] = [];
  const engine = new SyncEngine({
    db,
    intervalMs: 50,
    timeoutMs: 60_000,
    pullInWorker: false,
    logger: { warn: (message: string) => warnings.push(message) },
  });
  engine.start();
  await request;
  // Closed under the running attempt (an embedder closing the store before the engine).
  await db.close();
  answer?.writeHead(503, { 'content-type': 'text/plain' }).end('down');
  while (warnings.length === 0 && unhandled.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  await engine.stop();
  await new Promise((resolve) => peer.close(resolve));
  expect(unhandled).toEqual([]);
  expect(warnings.join('\n')).toMatch(/knowledge sync with peer b failed.*database connection is not open/);
});
