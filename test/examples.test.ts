import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BusClient } from '@fleet/sdk';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningBusServer, startBusServer } from '../packages/bus-server/src/server.ts';

const examples = fileURLToPath(new URL('../examples/', import.meta.url));
let bus: RunningBusServer;
let client: BusClient;

beforeAll(async () => {
  bus = await startBusServer({ port: 0, db: ':memory:' });
  client = new BusClient({ url: bus.url });
});
afterAll(() => bus.close());

function startAgent(command: string, file: string, agent: string): ChildProcess {
  return spawn(command, [`${examples}${file}`], {
    env: { ...process.env, FLEET_BUS_URL: bus.url, AGENT: agent },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function stopAgent(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

/** Sends a message to `agent` and waits (long polling) for its reply to `from`. */
async function roundTrip(agent: string, from: string) {
  const sent = await client.send({ from, to: agent, payload: { text: `hello ${agent}` } });
  const sentId = sent.messages[0]?.id;
  for (let i = 0; i < 20; i++) {
    const { deliveries } = await client.receive({ agent: from, waitSeconds: 1 });
    const delivery = deliveries[0];
    if (delivery) {
      await client.ack([delivery.receipt]);
      return { sentId, reply: delivery.message };
    }
  }
  throw new Error(`${agent} never replied`);
}

describe('examples answer over a real bus', () => {
  test('the TypeScript SDK agent (examples/reply-agent.mjs) replies to a message', async () => {
    const child = startAgent(process.execPath, 'reply-agent.mjs', 'echo-js');
    try {
      const { sentId, reply } = await roundTrip('echo-js', 'tester-js');
      expect(reply).toMatchObject({ from: 'echo-js', type: 'reply', payload: { inReplyTo: sentId } });
    } finally {
      expect(await stopAgent(child)).toBe(0);
    }
  });

  test.skipIf(!hasSystemCommand('python3', 'python3'))(
    'the standard-library Python agent (examples/reply_agent.py) replies to a message',
    async () => {
      const child = startAgent('python3', 'reply_agent.py', 'echo-py');
      try {
        const { sentId, reply } = await roundTrip('echo-py', 'tester-py');
        expect(reply).toMatchObject({
          from: 'echo-py',
          type: 'reply',
          payload: { inReplyTo: sentId, echo: { text: 'hello echo-py' } },
        });
      } finally {
        expect(await stopAgent(child)).toBe(0);
      }
    },
  );
});

describe('examples/deploy-plan.mjs', () => {
  test('previews, applies, then applies again with nothing to change, never printing its secret', async () => {
    const secret = `example-secret-${process.pid}`;
    const { stdout } = await promisify(execFile)(process.execPath, [`${examples}deploy-plan.mjs`], {
      env: { ...process.env, FLEET_BUS_TOKEN: secret },
    });
    expect(stdout).toContain('+FLEET_BUS_TOKENS=***');
    expect(stdout).toMatch(/second apply: \{ ok: 2, changed: 0, failed: 0/);
    expect(stdout).not.toContain(secret);
  });
});
