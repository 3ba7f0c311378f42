import { createServer, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
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

/** A host that accepts TCP connections and never answers on them (a frozen process); counts them. */
async function silentHost(): Promise<{ url: string; connections: () => number }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
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

test('stop() resolves while a check waits on a stalled bus queue answer', async () => {
  const { url, queueRead } = await stallingBus();
  // A short interval: the first scheduled check starts at a random point within one.
  const monitor = openMonitor({
    targets: [targetFor('bus', `${url}/health`, { kind: 'bus', intervalMs: 400, timeoutMs: 200 })],
  });
  monitor.start();
  await queueRead;
  await expect(monitor.stop()).resolves.toBeUndefined();
});

test.each(['bus', 'knowledge'] as const)(
  'a %s target that accepts connections and never answers is probed without a read that would wait a second timeout',
  async (kind) => {
    const host = await silentHost();
    const monitor = openMonitor({ targets: [targetFor(kind, `${host.url}/health`, { kind, timeoutMs: 100 })] });
    const [result] = await monitor.probeNow();
    expect(result).toMatchObject({ ok: false, status: null, error: 'timed out after 100 ms' });
    // One connection, the probe's: no read was tried after it got no answer.
    expect(host.connections()).toBe(1);
    const [figures] = kind === 'bus' ? monitor.busBacklogs() : monitor.knowledgeSync();
    expect(figures).toMatchObject({ at: null, error: `cannot reach ${host.url} (timed out after 100 ms)` });
  },
);

test('the probe of a bus is recorded before its queue read ends', async () => {
  const { url, queueRead } = await stallingBus();
  const monitor = openMonitor({ targets: [targetFor('bus', `${url}/health`, { kind: 'bus', timeoutMs: 5_000 })] });
  const transitions: string[] = [];
  monitor.onTransition((change) => transitions.push(`${change.from}->${change.to}`));
  const check = monitor.probeNow();
  await queueRead;
  // The read is still waiting on the stalled answer, and the probe's result is in already.
  expect(monitor.status('bus')).toMatchObject({ lastCheckAt: expect.any(String), lastError: null });
  expect(transitions).toEqual(['unknown->up']);
  monitor.close();
  await check;
});

test('probe listeners hear of a bus probe once its queue read is over, and see what it read', async () => {
  const { url } = await stallingBus();
  const monitor = openMonitor({ targets: [targetFor('bus', `${url}/health`, { kind: 'bus', timeoutMs: 200 })] });
  const seen: Array<string | null | undefined> = [];
  monitor.onProbe(() => seen.push(monitor.busBacklogs()[0]?.error));
  await monitor.probeNow();
  expect(seen).toEqual([`cannot reach ${url} (no answer within 200 ms)`]);
});

test.each(['bus', 'knowledge'] as const)(
  'a %s target whose health answer stalls after its headers got no answer: no response time, no read',
  async (kind) => {
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"status":');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const monitor = openMonitor({ targets: [targetFor(kind, `${url}/health`, { kind, timeoutMs: 100 })] });
    const [result] = await monitor.probeNow();
    expect(result).toMatchObject({ ok: false, status: null, error: 'timed out after 100 ms' });
    expect(monitor.status(kind)).toMatchObject({ lastResponseTimeMs: null, lastError: 'timed out after 100 ms' });
    // Only the probe asked: no read was tried after it got no (whole) answer.
    expect(paths).toEqual(['/health']);
  },
);
