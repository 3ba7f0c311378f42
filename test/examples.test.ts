import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BusClient } from '@fleet/sdk';
import { closedPort } from '@fleet/test-utils/closed-port';
import { startSilentHost } from '@fleet/test-utils/silent-host';
import { FLEET_BUS_BIN, spawnBus } from '@fleet/test-utils/spawn-bus';
import { type SpawnedServer, spawnServer } from '@fleet/test-utils/spawn-server';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningBusServer, startBusServer } from '../packages/bus-server/src/server.ts';

const examples = fileURLToPath(new URL('../examples/', import.meta.url));
let bus: RunningBusServer;
let client: BusClient;

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-examples-test-'));
  temps.push(dir);
  return dir;
}

beforeAll(async () => {
  bus = await startBusServer({ port: 0, db: ':memory:' });
  client = new BusClient({ url: bus.url });
});
afterAll(async () => {
  await bus.close();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Agent {
  child: ChildProcess;
  /** What the agent wrote to stderr so far. */
  stderr: () => string;
  exited: Promise<number | null>;
}

function startAgent(command: string, file: string, agent: string, url: string, env: NodeJS.ProcessEnv = {}): Agent {
  const child = spawn(command, [`${examples}${file}`], {
    env: { ...process.env, FLEET_BUS_URL: url, AGENT: agent, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

async function stopAgent(agent: Agent): Promise<number | null> {
  agent.child.kill('SIGTERM');
  return agent.exited;
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !condition(); ) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Sends `agent` a message of type `reply` (which it must leave unanswered: two agents would
 * otherwise answer each other's replies for ever), then a message it answers, and waits (long
 * polling) for the first message to `from`: it must be the answer to the second.
 */
async function roundTrip(bus: BusClient, agent: string, from: string) {
  await bus.send({ from, to: agent, type: 'reply', payload: { text: 'a reply, not a question' } });
  const sent = await bus.send({ from, to: agent, payload: { text: `hello ${agent}` } });
  for (let i = 0; i < 20; i++) {
    const { deliveries } = await bus.receive({ agent: from, waitSeconds: 1 });
    const delivery = deliveries[0];
    if (delivery) {
      await bus.ack([delivery.receipt]);
      expect(delivery.message).toMatchObject({
        from: agent,
        type: 'reply',
        payload: { inReplyTo: sent.messages[0]?.id, echo: { text: `hello ${agent}` } },
      });
      return;
    }
  }
  throw new Error(`${agent} never replied`);
}

const agents = [
  { name: 'the TypeScript SDK agent (examples/reply-agent.mjs)', command: process.execPath, file: 'reply-agent.mjs' },
  { name: 'the standard-library Python agent (examples/reply_agent.py)', command: 'python3', file: 'reply_agent.py' },
];
const python = hasSystemCommand('python3', 'python3');

describe.each(agents)('$name', ({ command, file }) => {
  const available = command !== 'python3' || python;
  const name = file.endsWith('.py') ? 'echo-py' : 'echo-js';

  test.runIf(available)('answers a message with its payload echoed and leaves replies unanswered', async () => {
    const agent = startAgent(command, file, name, bus.url);
    try {
      await roundTrip(client, name, `tester-${name}`);
    } finally {
      expect(await stopAgent(agent)).toBe(0);
    }
    expect(agent.stderr()).toBe('');
  });

  test.runIf(available)(
    'survives the bus killed with SIGKILL and restarted, logging one line per failed call',
    async () => {
      const db = join(tempDir(), 'bus.db');
      let server: SpawnedServer = await spawnBus(['--db', db]);
      const port = new URL(server.url).port;
      const agent = startAgent(command, file, `${name}-restart`, server.url);
      try {
        await roundTrip(new BusClient({ url: server.url }), `${name}-restart`, `tester-${name}-restart`);
        server.child.kill('SIGKILL');
        await server.exited;
        // The agent notices the outage (its long poll cut, then refused) and keeps running.
        await until(() => agent.stderr().includes('receive failed: ') || agent.child.exitCode !== null);
        expect(agent.child.exitCode).toBeNull();
        server = await spawnServer(FLEET_BUS_BIN, ['server', '--port', port, '--db', db]);
        await roundTrip(new BusClient({ url: server.url }), `${name}-restart`, `tester-${name}-restart`);
      } finally {
        const code = await stopAgent(agent);
        server.child.kill('SIGTERM');
        await server.exited;
        expect(code).toBe(0);
      }
      for (const line of agent.stderr().trimEnd().split('\n'))
        expect(line).toMatch(/^(receive|send|ack|nack|extend) failed: \S/);
    },
    60_000,
  );

  test.runIf(available)('with a token the bus refuses, says why in one line and exits 1', async () => {
    const guarded = await startBusServer({ port: 0, db: ':memory:', tokens: ['the-right-token-0123456789'] });
    try {
      const agent = startAgent(command, file, name, guarded.url, { FLEET_BUS_TOKEN: 'a-wrong-token-0123456789' });
      expect(await agent.exited).toBe(1);
      expect(agent.stderr()).toMatch(/^[^\n]*unauthorized[^\n]*\n$/i);
    } finally {
      await guarded.close();
    }
  });
});

/** Runs `node examples/<file> <args>` and resolves with its exit code and output. */
function runExample(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [`${examples}${file}`, ...args],
      { cwd: options.cwd, env: { ...process.env, ...options.env } },
      (error, stdout, stderr) => resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr }),
    );
  });
}

describe('examples/deploy-plan.mjs', () => {
  test('previews, applies, then applies again with nothing to change, never printing its secret, and removes its temp root', async () => {
    const secret = `example-secret-${process.pid}`;
    const tmp = tempDir();
    const { code, stdout } = await runExample('deploy-plan.mjs', [], { env: { FLEET_BUS_TOKEN: secret, TMPDIR: tmp } });
    expect(code).toBe(0);
    expect(stdout).toContain('+FLEET_BUS_TOKENS=***');
    expect(stdout).toMatch(/second apply: \{ ok: 2, changed: 0, failed: 0/);
    expect(stdout).not.toContain(secret);
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('an apply that fails prints the failed step with its error and exits 1, leaving DEPLOY_ROOT alone', async () => {
    const root = join(tempDir(), 'not-a-directory');
    writeFileSync(root, '');
    const { code, stderr } = await runExample('deploy-plan.mjs', [], { env: { DEPLOY_ROOT: root } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^first apply: directory \/etc\/fleet failed: \S/m);
    expect(existsSync(root)).toBe(true);
  });
});

describe('examples/deploy-fleet.mjs', () => {
  const sshKeygen = hasSystemCommand('ssh-keygen', 'openssh-client');

  /** A fleet file with one host whose SSH port refuses connections, and a key to log in with. */
  async function unreachableFleet() {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'fleet.yaml'),
      `version: 1\nhosts:\n  h1: { address: 127.0.0.1, ssh: { port: ${await closedPort()} } }\n`,
    );
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
    return dir;
  }

  test.runIf(sshKeygen)('a plan on a host nobody answers exits 1 and says why in one line', async () => {
    const dir = await unreachableFleet();
    const { code, stderr } = await runExample('deploy-fleet.mjs', ['fleet.yaml', '--identity', 'key'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^failed on h1 at [^\n]*: Could not connect to h1 [^\n]*ECONNREFUSED[^\n]*\n$/);
  });

  test.runIf(sshKeygen)('an apply whose lock host cannot be reached exits 1 with one line, not a stack', async () => {
    const dir = await unreachableFleet();
    const args = ['fleet.yaml', '--identity', 'key', '--apply'];
    const { code, stderr } = await runExample('deploy-fleet.mjs', args, { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Could not connect to h1 [^\n]*ECONNREFUSED[^\n]*\n$/);
  });

  test.runIf(sshKeygen)(
    'SIGTERM while a plan waits on a host that never answers: it stops, says so, exit 1',
    async () => {
      const silent = await startSilentHost();
      try {
        const dir = tempDir();
        writeFileSync(
          join(dir, 'fleet.yaml'),
          `version: 1\nhosts:\n  h1: { address: 127.0.0.1, ssh: { port: ${silent.port} } }\n`,
        );
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
        const child = spawn(process.execPath, [`${examples}deploy-fleet.mjs`, 'fleet.yaml', '--identity', 'key'], {
          cwd: dir,
        });
        let stderr = '';
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        await silent.connected;
        child.kill('SIGTERM');
        const code = await new Promise<number | null>((resolve) => child.once('close', (exit) => resolve(exit)));
        expect(code).toBe(1);
        expect(stderr).toMatch(/stopped/);
        expect(stderr).not.toMatch(/\n\s+at /);
      } finally {
        await silent.close();
      }
    },
  );

  test('an unknown option exits 2 with one line pointing to --help, not a stack', async () => {
    const { code, stdout, stderr } = await runExample('deploy-fleet.mjs', ['fleet.yaml', '--bogus'], {
      cwd: tempDir(),
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^[^\n]*--bogus[^\n]*--help[^\n]*\n$/);
  });

  test('a missing fleet file exits 1 with one line that names it and says how to give one', async () => {
    const { code, stdout, stderr } = await runExample('deploy-fleet.mjs', ['nowhere.yaml'], { cwd: tempDir() });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('no fleet file at nowhere.yaml (give its path as the first argument; see --help)\n');
  });

  test('an invalid fleet file exits 1 with the message, then each problem on a line of its own', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'fleet.yaml'), 'version: 1\nhosts:\n  h1: { address: 7, bogus: true }\n');
    const { code, stderr } = await runExample('deploy-fleet.mjs', [], { cwd: dir });
    expect(code).toBe(1);
    const [message, ...problems] = stderr.trimEnd().split('\n');
    expect(message).toMatch(/^fleet\.yaml has \d+ error\(s\)$/);
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem).toMatch(/^fleet\.yaml:\d+:\d+ /);
  });
});
