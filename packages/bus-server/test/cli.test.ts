import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadLetterPage, QueueStats, ReceiveResult, SendResult } from '@fleet/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closedPort } from '../../../test/_helpers/closed-port.ts';
import { type CliRun, runCli } from '../../../test/_helpers/run-cli.ts';
import { FLEET_BUS_BIN, type SpawnedBus, spawnBus } from '../../../test/_helpers/spawn-bus.ts';

// These run the BUILT bin (`npm test` builds first), as a user would.
const dir = mkdtempSync(join(tmpdir(), 'fleet-bus-cli-'));
const cleanEnv = { FLEET_BUS_URL: '', FLEET_BUS_TOKEN: '', FLEET_BUS_TOKENS: '' };
let bus: SpawnedBus;
let agents = 0;
const agent = (role: string) => `${role}-${++agents}`;

beforeAll(async () => {
  bus = await spawnBus(['--db', join(dir, 'bus.db')], cleanEnv);
});
afterAll(async () => {
  bus.child.kill('SIGTERM');
  await bus.exited;
  rmSync(dir, { recursive: true, force: true });
});

type Run = CliRun;

/** Runs `fleet-bus <args>` to completion. */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runCli(FLEET_BUS_BIN, args, { ...cleanEnv, ...env });
}

/** Runs a client command against the test server. */
const client = (args: string[], env: NodeJS.ProcessEnv = {}) => run([...args, '--url', bus.url], env);

/** Runs a client command with `--json` and parses its output. */
async function json(args: string[]): Promise<unknown> {
  const result = await client([...args, '--json']);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout);
}

/** Resolves once `read()` matches `pattern` (checked each time the child writes). */
function waitForOutput(child: ChildProcess, read: () => string, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pattern.test(read())) {
        child.stdout?.off('data', check);
        child.stderr?.off('data', check);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', () => reject(new Error(`exited before printing ${pattern}: ${read()}`)));
    check();
  });
}

describe('fleet-bus server', () => {
  test('prints the URL it listens on, on one line', async () => {
    expect(bus.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(bus.url).port)).toBeGreaterThan(0);
  });

  test('SIGTERM makes it close cleanly and exit 0', async () => {
    const other = await spawnBus(['--db', ':memory:'], cleanEnv);
    other.child.kill('SIGTERM');
    expect(await other.exited).toBe(0);
    expect(other.stderr()).toBe('');
  });

  test('SIGINT makes it close cleanly and exit 0', async () => {
    const other = await spawnBus(['--db', ':memory:'], cleanEnv);
    other.child.kill('SIGINT');
    expect(await other.exited).toBe(0);
  });

  test('accepts every --token and those of FLEET_BUS_TOKENS, and refuses a request without one', async () => {
    const secured = await spawnBus(['--db', ':memory:', '--token', 'first', '--token=second'], {
      ...cleanEnv,
      FLEET_BUS_TOKENS: 'third, fourth',
    });
    try {
      for (const token of ['first', 'second', 'third', 'fourth']) {
        expect(await run(['stats', '--url', secured.url, '--token', token])).toMatchObject({ code: 0 });
      }
      expect(await run(['stats', '--url', secured.url], { FLEET_BUS_TOKEN: 'second' })).toMatchObject({ code: 0 });
      const refused = await run(['stats', '--url', secured.url]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^fleet-bus: unauthorized: [^\n]+\n$/);
    } finally {
      secured.child.kill('SIGTERM');
      await secured.exited;
    }
  });
});

describe('fleet-bus client commands', () => {
  test('send, stats, receive --ack: a round trip in JSON', async () => {
    const to = agent('worker');
    const sent = SendResult.parse(
      await json([
        'send',
        '--from',
        'planner',
        '--to',
        to,
        '--type',
        'task',
        '--payload',
        '{"n":1}',
        '--priority',
        '5',
      ]),
    );
    expect(sent.messages[0]).toMatchObject({ from: 'planner', to, type: 'task', payload: { n: 1 }, priority: 5 });

    const before = QueueStats.parse(await json(['stats']));
    expect(before.recipients.find((r) => r.agent === to)).toMatchObject({ ready: 1, inFlight: 0 });

    const received = (await json(['receive', '--agent', to, '--ack'])) as ReceiveResult & { acked: number };
    expect(ReceiveResult.parse(received).deliveries[0]?.message.id).toBe(sent.messages[0]?.id);
    expect(received.acked).toBe(1);

    const after = QueueStats.parse(await json(['stats']));
    expect(after.recipients.find((r) => r.agent === to)).toBeUndefined();
  });

  test('human output: send confirms, receive shows the message and its receipt, stats is a table', async () => {
    const to = agent('reader');
    const sent = await client(['send', '--from', 'planner', '--to', to, '--type', 'note', '--payload', '"hi"']);
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/^sent 1 copy\n\S+ {2}planner -> reader-\d+ {2}note {2}"hi"\n$/);

    const stats = await client(['stats']);
    expect(stats.stdout.split('\n')[0]).toMatch(/^AGENT\s+READY\s+DELAYED\s+IN-FLIGHT\s+DEAD/);
    expect(stats.stdout).toMatch(new RegExp(`\\n${to}\\s+1\\s+0\\s+0\\s+0`));

    const received = await client(['receive', '--agent', to, '--lease', '60']);
    expect(received.code).toBe(0);
    expect(received.stdout).toContain(`planner -> ${to}  note  "hi"  (attempt 1, receipt `);
    expect((await client(['receive', '--agent', to])).stdout).toBe('no messages\n');
  });

  test('send with a repeated --key reports a duplicate', async () => {
    const args = ['send', '--from', 'planner', '--to', agent('once'), '--key', 'k-1'];
    expect((await client(args)).stdout).toMatch(/^sent 1 copy/);
    expect((await client(args)).stdout).toMatch(/^duplicate of an earlier send/);
  });

  test('dlq list, redrive and purge manage dead letters', async () => {
    const to = agent('late');
    const sent = SendResult.parse(await json(['send', '--from', 'p', '--to', to, '--ttl', '0.001']));
    const id = sent.messages[0]!.id;
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A receive runs the agent's housekeeping, which dead-letters the expired message.
    expect((await client(['receive', '--agent', to])).stdout).toBe('no messages\n');

    const page = DeadLetterPage.parse(await json(['dlq', 'list', '--agent', to]));
    expect(page.deadLetters.map((d) => [d.message.id, d.reason])).toEqual([[id, 'expired']]);
    expect((await client(['dlq', 'list', '--agent', to])).stdout).toMatch(new RegExp(`^${id} {2}${to} {2}expired `));

    expect(await json(['dlq', 'redrive', '--id', id, '--id', 'no-such-id'])).toEqual({ redriven: 1 });
    const redelivered = ReceiveResult.parse(await json(['receive', '--agent', to, '--ack']));
    expect(redelivered.deliveries[0]?.message.id).toBe(id);

    await json(['send', '--from', 'p', '--to', to, '--ttl', '0.001']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await client(['receive', '--agent', to]);
    expect((await client(['dlq', 'purge', '--agent', to])).stdout).toBe('purged 1\n');
    expect((await client(['dlq', 'list', '--agent', to])).stdout).toBe('no dead letters\n');
  });

  test('tail prints one line per message sent to the agent until Ctrl-C, then exits 0', async () => {
    const to = agent('watched');
    const tail = spawn(process.execPath, [FLEET_BUS_BIN, 'tail', '--agent', to, '--url', bus.url], {
      env: { ...process.env, ...cleanEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    tail.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    tail.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => tail.once('exit', (code) => resolve(code)));
    await waitForOutput(tail, () => stderr, /following/);
    await client(['send', '--from', 'p', '--to', to, '--type', 'first']);
    await client(['send', '--from', 'p', '--to', agent('other'), '--type', 'elsewhere']);
    await client(['send', '--from', 'p', '--to', to, '--type', 'second', '--payload', '{"k":true}']);
    await waitForOutput(tail, () => stdout, /second/);
    tail.kill('SIGINT');
    expect(await exited).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^\\S+Z {2}\\S+ {2}p -> ${to} {2}first {2}null$`));
    expect(lines[1]).toMatch(/ {2}second {2}\{"k":true\}$/);
  });
});

describe('fleet-bus failures: one line on stderr, no stack trace', () => {
  test.each([
    [['send', '--from', 'a'], 'fleet-bus: exactly one of --to or --topic is required'],
    [['send', '--from', 'a', '--to', 'b', '--topic', 't'], 'fleet-bus: exactly one of --to or --topic is required'],
    [['send', '--from', 'a', '--to', 'b', '--payload', '{oops'], 'fleet-bus: --payload is not valid JSON'],
    [
      ['send', '--from', 'a', '--to', 'b', '--priority', 'high'],
      'fleet-bus: --priority must be a whole number, got "high"',
    ],
    [['send', '--to', 'b'], 'fleet-bus: Missing required argument: --from'],
    [['send', '--from', 'a', '--to', 'b', '--colour', 'red'], 'fleet-bus: unknown option: --colour'],
    [['receive', '--agent', 'a', 'extra'], 'fleet-bus: unexpected argument: extra'],
    [['dlq', 'redrive'], 'fleet-bus: exactly one of --id or --agent is required'],
    [
      ['server', '--durability', 'sometimes'],
      'fleet-bus: Invalid value for argument: --durability (sometimes). Expected one of: normal, fsync.',
    ],
    [['server', '--port', '99999'], 'fleet-bus: --port must be at most 65535, got 99999'],
    [['launch'], 'fleet-bus: Unknown command launch'],
    [['stats', '--url', 'not a url'], 'fleet-bus: --url: invalid base URL: not a url'],
  ])('bad arguments %j exit 2', async (args, line) => {
    const result = await run(args);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });

  test('an unreachable server exits 1 naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(['stats', '--url', url]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `fleet-bus: cannot reach ${url} (connection refused)\n` });
  });

  test('FLEET_BUS_URL is the default --url', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(['stats'], { FLEET_BUS_URL: url });
    expect(result.stderr).toBe(`fleet-bus: cannot reach ${url} (connection refused)\n`);
  });

  test('input the server rejects exits 1 with the code and the field', async () => {
    const result = await client(['send', '--from', 'a', '--to', 'not an agent']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^fleet-bus: validation_failed: to: [^\n]+\n$/);
  });
});
