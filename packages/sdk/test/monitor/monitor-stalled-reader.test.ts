import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { onCleanup, openMonitor, targetFor } from './_monitor.ts';

/**
 * A bus whose /health answers at once and whose /queue sends its headers and then stalls mid-body,
 * as a host whose process froze while answering.
 */
async function stallingBus(): Promise<{ url: string; queueRead: Promise<void> }> {
  const open = new Set<ServerResponse>();
  let queueRequested!: () => void;
  const queueRead = new Promise<void>((resolve) => {
    queueRequested = resolve;
  });
  const server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url?.startsWith('/queue')) {
      res.write('{"recipients":[');
      queueRequested();
    } else res.end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queueRead };
}

test('a bus whose queue answer stalls mid-body does not freeze its checks', { timeout: 10_000 }, async () => {
  const { url } = await stallingBus();
  const monitor = openMonitor({
    targets: [targetFor('bus', `${url}/health`, { kind: 'bus', timeoutMs: 200 })],
  });
  const [first] = await monitor.probeNow();
  expect(first).toMatchObject({ ok: true });
  expect(monitor.busBacklogs()[0]).toMatchObject({
    at: null,
    error: expect.stringContaining('no answer within 200 ms'),
  });
  // The target is probed again: the first check is over.
  const [second] = await monitor.probeNow();
  expect(second).toMatchObject({ ok: true });
});

test('stop() resolves while a check waits on a stalled bus queue answer', { timeout: 10_000 }, async () => {
  const { url, queueRead } = await stallingBus();
  const monitor = openMonitor({
    targets: [targetFor('bus', `${url}/health`, { kind: 'bus', timeoutMs: 200 })],
  });
  monitor.start();
  await queueRead;
  await expect(monitor.stop()).resolves.toBeUndefined();
});
