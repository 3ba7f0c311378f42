// The floor under fleet-bus: its server and routes (body limit, JSON parsing, schema validation,
// auth checks, response serialization) over a store that stores nothing. Started by bench/bus.mjs
// next to the real server, so `real - storeless` is what storage costs per request and
// `storeless / bare` the most any store could reach.
//
// Send, lease and ack answer with results captured from one real send, lease and ack at start
// (a SQLite store in a temporary directory), so each response has the real shape and size.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBusServer } from '@fleet/bus-server';
import { SqliteMessageStore } from '@fleet/sdk/stores';

const dir = mkdtempSync(join(tmpdir(), 'fleet-storeless-'));
const store = new SqliteMessageStore({ path: join(dir, 'bus.db') });
const input = {
  from: 'bench',
  to: 'worker',
  payload: { text: 'x'.repeat(1000) },
  type: 'message',
  priority: 0,
  delaySeconds: 0,
  ttlSeconds: null,
  idempotencyKey: null,
};
const sent = await store.send(input);
const leased = await store.lease({ agent: 'worker', limit: 1, leaseSeconds: 600 });
const acked = await store.ack(leased.map((delivery) => delivery.receipt));
if (leased.length !== 1 || acked !== 1) throw new Error('the captured lifecycle did not complete');

store.send = async () => sent;
store.sendBatch = async () => sent;
store.lease = async () => leased;
store.ack = async () => acked;

const server = createBusServer({ store });
const { url } = await server.listen({ host: '127.0.0.1', port: 0, insecure: false });
console.log(`storeless fleet-bus listening on ${url}`);
// SIGINT too: Ctrl-C in the terminal reaches the bench's servers as well as the bench.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}
