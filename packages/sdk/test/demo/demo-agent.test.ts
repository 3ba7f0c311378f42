import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DemoAgentStats, type RunningDemoAgent, startDemoAgent } from '../../src/demo/index.ts';
import { FleetClient, Health } from '../../src/index.ts';
import { startTestBus, type TestBus } from '../_bus-server.ts';
import { startTestKnowledge, type TestKnowledge } from '../_knowledge-server.ts';

let bus: TestBus;
let knowledge: TestKnowledge;
let pairs = 0;

beforeAll(async () => {
  [bus, knowledge] = await Promise.all([startTestBus(), startTestKnowledge()]);
});
afterAll(async () => {
  await Promise.all([bus.close(), knowledge.close()]);
});

/** Polls `check` until it holds; the test timeout bounds the wait (no timing threshold here). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Two fast demo agents that send each other tasks. */
async function startPair(): Promise<[RunningDemoAgent, RunningDemoAgent]> {
  pairs += 1;
  const [a, b] = [`scout-${pairs}`, `scribe-${pairs}`];
  const common = { busUrl: bus.url, knowledgeUrl: knowledge.url, intervalMs: 20, workMs: 0 };
  return Promise.all([
    startDemoAgent({ ...common, name: a, peer: b }),
    startDemoAgent({ ...common, name: b, peer: a }),
  ]);
}

/** How many messages to `agent` the bus audit trail records as acked. */
async function ackedCount(agent: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await bus.client().audit({ agent, event: 'acked', ...(cursor ? { cursor } : {}) });
    count += page.count;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return count;
}

const isDone = (agent: RunningDemoAgent) => {
  const stats = agent.stats();
  return stats.received > 0 && stats.factsRead > 0;
};

describe('demo agents', () => {
  test('exchange tasks through the bus: each receives and acks what the other sent', async () => {
    const [scout, scribe] = await startPair();
    try {
      await until(() => isDone(scout) && isDone(scribe));
      expect(await ackedCount(scribe.name)).toBeGreaterThan(0);
      expect(await ackedCount(scout.name)).toBeGreaterThan(0);
    } finally {
      await Promise.all([scout.close(), scribe.close()]);
    }
  });

  test("publish their counters as facts and read the peer's", async () => {
    const [scout, scribe] = await startPair();
    try {
      await until(() => isDone(scout) && isDone(scribe));
      const client = knowledge.client();
      const status = await client.get(`demo/${scout.name}/status`);
      expect(status.tags).toEqual(['demo']);
      expect(status.value).toMatchObject({ ticks: expect.any(Number), sent: expect.any(Number) });
      await until(async () => (await client.find(`demo/${scribe.name}/last-task`)) !== undefined);
      const lastTask = await client.get(`demo/${scribe.name}/last-task`);
      expect(lastTask.value).toMatchObject({ from: scout.name, payload: { tick: expect.any(Number) } });
    } finally {
      await Promise.all([scout.close(), scribe.close()]);
    }
  });

  test('serve GET /health in the Fleet Health shape with their counters as details', async () => {
    const [scout, scribe] = await startPair();
    try {
      await until(() => isDone(scout));
      const health = Health.parse(await new FleetClient({ url: scout.url }).health());
      expect(health).toMatchObject({ status: 'ok', service: 'fleet-demo-agent' });
      const stats = DemoAgentStats.parse(health.details);
      expect(stats).toMatchObject({ agent: scout.name, peer: scribe.name, lastError: null });
      expect(stats.received).toBeGreaterThan(0);
      const missing = await fetch(`${scout.url}/nope`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error: { code: 'route_not_found' } });
    } finally {
      await Promise.all([scout.close(), scribe.close()]);
    }
  });

  test('close finishes and acks the task in hand, then stops the health endpoint', async () => {
    const [scout, scribe] = await startPair();
    await until(() => isDone(scout) && isDone(scribe));
    await Promise.all([scout.close(), scribe.close()]);
    for (const agent of [scout, scribe]) {
      expect(await ackedCount(agent.name)).toBe(agent.stats().received);
    }
    await expect(fetch(`${scout.url}/health`)).rejects.toThrow();
    await scout.close(); // idempotent
  });

  test('stops when its signal aborts', async () => {
    const stop = new AbortController();
    const agent = await startDemoAgent({
      name: 'signalled',
      peer: 'nobody',
      busUrl: bus.url,
      knowledgeUrl: knowledge.url,
      intervalMs: 20,
      signal: stop.signal,
    });
    await until(() => agent.stats().ticks > 0);
    stop.abort();
    await agent.close();
    await expect(fetch(`${agent.url}/health`)).rejects.toThrow();
  });

  test('keeps running and reports the failure once when the bus cannot be reached', async () => {
    const closedBus = await startTestBus();
    await closedBus.close();
    const warnings: string[] = [];
    const agent = await startDemoAgent({
      name: 'lonely',
      peer: 'nobody',
      busUrl: closedBus.url,
      knowledgeUrl: knowledge.url,
      intervalMs: 20,
      logger: { warn: (line: string) => warnings.push(line) },
    });
    try {
      await until(() => agent.stats().ticks >= 3);
      expect(agent.stats().lastError).not.toBeNull();
      expect(new Set(warnings).size).toBe(warnings.length);
      expect(warnings[0]).toMatch(/^demo agent lonely: /);
      expect((await fetch(`${agent.url}/health`)).status).toBe(200);
    } finally {
      await agent.close();
    }
  });

  test('a receive refused for good (a token the bus does not take) is degraded, and receiving starts again once the bus takes it', async () => {
    const refusing = await startTestBus({ tokens: ['the-old-token'] });
    const agent = await startDemoAgent({
      name: 'rotated',
      peer: 'rotated',
      busUrl: refusing.url,
      busToken: 'the-new-token',
      knowledgeUrl: knowledge.url,
      intervalMs: 20,
      workMs: 0,
    });
    let restarted: TestBus | undefined;
    try {
      await until(() => !agent.stats().receiving);
      const degraded = Health.parse(await (await fetch(`${agent.url}/health`)).json());
      expect(degraded.status).toBe('degraded');
      expect(agent.stats().lastError).toMatch(/token/i);

      // The bus back with the new token, on the same port and data: the agent works again.
      await refusing.close();
      restarted = await startTestBus({ tokens: ['the-new-token'], port: refusing.port, db: refusing.db });
      await until(() => agent.stats().received > 0);
      expect(agent.stats().receiving).toBe(true);
      expect(Health.parse(await (await fetch(`${agent.url}/health`)).json()).status).toBe('ok');
    } finally {
      await agent.close();
      await restarted?.close();
    }
  });

  test('counts a task as received only once its knowledge write succeeded: a refused write nacks it, uncounted', async () => {
    const refusing = await startTestKnowledge({ tokens: ['the-knowledge-token'] });
    const agent = await startDemoAgent({
      name: 'unwritten',
      peer: 'unwritten',
      busUrl: bus.url,
      knowledgeUrl: refusing.url,
      knowledgeToken: 'not-the-knowledge-token',
      intervalMs: 20,
      workMs: 0,
    });
    try {
      // A nack on the bus: the handler ran to its end, and its write of the last-task fact failed.
      await until(async () => (await bus.client().audit({ agent: agent.name, event: 'nacked' })).count > 0);
      expect(agent.stats().received).toBe(0);
      const health = Health.parse(await (await fetch(`${agent.url}/health`)).json());
      expect(DemoAgentStats.parse(health.details).received).toBe(0);
    } finally {
      await agent.close();
      await refusing.close();
    }
  });

  test('rejects a port in use with a FleetServerStartError naming it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const start = startDemoAgent({ name: 'x', peer: 'y', busUrl: bus.url, knowledgeUrl: knowledge.url, port });
      await expect(start).rejects.toMatchObject({
        name: 'FleetServerStartError',
        message: `Port ${port} on 127.0.0.1 is already in use`,
      });
    } finally {
      blocker.close();
    }
  });
});
