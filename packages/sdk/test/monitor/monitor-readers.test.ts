import { describe, expect, test } from 'vitest';
import { serviceBaseUrl } from '../../src/monitor/readers/service-url.ts';
import { startTestBus } from '../_bus-server.ts';
import { startTestKnowledge } from '../_knowledge-server.ts';
import { onCleanup, openMonitor, startTarget, targetFor } from './_monitor.ts';

const TOKEN = 'monitor-test-token';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('FleetMonitor: bus backlogs and knowledge sync lag', () => {
  test('reads a bus queue per agent with the target token, alongside the health probe', async () => {
    const bus = await startTestBus({ tokens: [TOKEN], store: { maxAttempts: 1 } });
    onCleanup(() => bus.close());
    const client = bus.client({ token: TOKEN });
    await client.send({ from: 'planner', to: 'worker', type: 'task', payload: 1 });
    await client.send({ from: 'planner', to: 'worker', type: 'task', payload: 2 });
    await client.send({ from: 'planner', to: 'critic', type: 'task', payload: 3 });
    const [leased] = (await client.receive({ agent: 'critic' })).deliveries;
    const monitor = openMonitor({
      targets: [targetFor('bus', `${bus.url}/health`, { kind: 'bus', headers: auth })],
    });
    expect(monitor.busBacklogs()).toEqual([
      { target: 'bus', at: null, error: null, recipients: [], totals: { ready: 0, inFlight: 0, delayed: 0, dead: 0 } },
    ]);

    const [health] = await monitor.probeNow();
    expect(health).toMatchObject({ ok: true });
    const [backlog] = monitor.busBacklogs();
    expect(backlog).toMatchObject({ target: 'bus', error: null, totals: { ready: 2, inFlight: 1, dead: 0 } });
    expect(backlog?.at).not.toBeNull();
    expect(backlog?.recipients.find((r) => r.agent === 'worker')).toMatchObject({ ready: 2, inFlight: 0 });

    // With one attempt allowed, a nack dead-letters the message.
    await client.nack({ receipt: leased!.receipt, delaySeconds: 0 });
    await monitor.probeNow();
    expect(monitor.busBacklogs()[0]?.recipients.find((r) => r.agent === 'critic')).toMatchObject({
      inFlight: 0,
      dead: 1,
    });
  });

  test('a failed read keeps the last figures and records the error, without failing the probe', async () => {
    const bus = await startTestBus({ tokens: [TOKEN] });
    onCleanup(() => bus.close());
    await bus.client({ token: TOKEN }).send({ from: 'a', to: 'b', type: 't', payload: null });
    const monitor = openMonitor({ targets: [targetFor('bus', `${bus.url}/health`, { kind: 'bus', headers: auth })] });
    await monitor.probeNow();
    const before = monitor.busBacklogs()[0]!;
    expect(before).toMatchObject({ error: null, totals: { ready: 1 } });

    await bus.close();
    const [result] = await monitor.probeNow();
    // Refused, or closed by the server when the probe reused a kept-alive connection.
    expect(result).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/^connection /) });
    expect(monitor.busBacklogs()[0]).toEqual({ ...before, error: expect.stringMatching(/^cannot reach /) });
  });

  test('without the token the queue read fails while the health probe (which needs none) passes', async () => {
    const bus = await startTestBus({ tokens: [TOKEN] });
    onCleanup(() => bus.close());
    const monitor = openMonitor({ targets: [targetFor('bus', `${bus.url}/health`, { kind: 'bus' })] });
    const [result] = await monitor.probeNow();
    expect(result).toMatchObject({ ok: true });
    expect(monitor.busBacklogs()[0]).toMatchObject({ at: null, error: expect.stringMatching(/token/i) });
    expect(monitor.busBacklogs()[0]?.error).not.toContain(TOKEN);
  });

  test('a queue read whose error answer repeats the target token records the error without it', async () => {
    const upstream = await startTarget();
    // A proxy's error page that echoes the request's headers.
    upstream.set('/queue', { status: 502, body: `bad gateway; request had authorization: Bearer ${TOKEN}` });
    const monitor = openMonitor({ targets: [targetFor('bus', upstream.url(), { kind: 'bus', headers: auth })] });
    await monitor.probeNow();
    const { error } = monitor.busBacklogs()[0]!;
    expect(error).toMatch(/HTTP 502 Bad Gateway: bad gateway; request had authorization: \*\*\*$/);
    expect(error).not.toContain(TOKEN);
  });

  test('reads a knowledge node’s sync lag per peer', async () => {
    const node = await startTestKnowledge({ tokens: [TOKEN] });
    const peer = await startTestKnowledge();
    onCleanup(() => node.close());
    onCleanup(() => peer.close());
    const client = node.client({ token: TOKEN });
    await client.addPeer({ id: peer.nodeId, url: peer.url });
    await client.put({ key: 'hosts/ezra/gpu', value: 'A100' });
    await client.put({ key: 'hosts/ezra/ram', value: 64 });
    const monitor = openMonitor({
      targets: [targetFor('knowledge', `${node.url}/health`, { kind: 'knowledge', headers: auth })],
    });

    await monitor.probeNow();
    const [sync] = monitor.knowledgeSync();
    expect(sync).toMatchObject({ target: 'knowledge', error: null, nodeId: node.nodeId });
    expect(sync?.peers).toEqual([
      { peer: peer.nodeId, lagFacts: 2, lagSeconds: expect.any(Number), lastSuccessAt: null, lastError: null },
    ]);

    await client.runSync();
    await monitor.probeNow();
    expect(monitor.knowledgeSync()[0]?.peers[0]).toMatchObject({ lagFacts: 0, lastSuccessAt: expect.any(String) });
  });

  test('other kinds have no reader', async () => {
    const monitor = openMonitor({ targets: [targetFor('api', 'http://127.0.0.1:9/health')] });
    expect(monitor.busBacklogs()).toEqual([]);
    expect(monitor.knowledgeSync()).toEqual([]);
  });

  test('the service base URL is the directory of the health URL', () => {
    expect(serviceBaseUrl('http://10.0.0.5:8650/health')).toBe('http://10.0.0.5:8650');
    expect(serviceBaseUrl('https://ops.example/bus/health?x=1')).toBe('https://ops.example/bus');
  });
});
