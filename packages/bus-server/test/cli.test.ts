import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadLetterPage, QueueStats, ReceiveResult, SendResult } from '@fleet/sdk';
import { closedPort } from '@fleet/test-utils/closed-port';
import { requestWithHost } from '@fleet/test-utils/http-with-host';
import { type CliRun, runCli } from '@fleet/test-utils/run-cli';
import { FLEET_BUS_BIN, type SpawnedBus, spawnBus } from '@fleet/test-utils/spawn-bus';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

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

  // The durability is read back from SQLite (PRAGMA synchronous): a flag lost on its way to the
  // store shows here, which a crash test cannot tell (SIGKILL keeps the OS page cache either way).
  test.each([
    [['--durability', 'fsync'], 'fsync'],
    [['--durability', 'normal'], 'normal'],
    [[], 'normal'],
  ])('with %j, the startup line and /health report the durability SQLite has: %s', async (args, durability) => {
    const other = await spawnBus(['--db', join(dir, `durability-${durability}-${args.length}.db`), ...args], cleanEnv);
    try {
      expect(other.stdout()).toBe(`fleet-bus listening on ${other.url} (durability ${durability})\n`);
      const health = (await (await fetch(`${other.url}/health`)).json()) as { details: unknown };
      expect(health.details).toEqual({ storage: 'sqlite', durability });
    } finally {
      other.child.kill('SIGTERM');
      await other.exited;
    }
  });

  test('with :memory:, which persists nothing, it reports no durability', async () => {
    const other = await spawnBus(['--db', ':memory:', '--durability', 'fsync'], cleanEnv);
    try {
      expect(other.stdout()).toBe(`fleet-bus listening on ${other.url}\n`);
      const health = (await (await fetch(`${other.url}/health`)).json()) as { details: unknown };
      expect(health.details).toEqual({ storage: 'memory' });
    } finally {
      other.child.kill('SIGTERM');
      await other.exited;
    }
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

describe('fleet-bus server without tokens', () => {
  test('answers every --allowed-host and those of FLEET_ALLOWED_HOSTS, refuses other Host names', async () => {
    const open = await spawnBus(['--db', ':memory:', '--allowed-host', 'bus.internal'], {
      ...cleanEnv,
      FLEET_ALLOWED_HOSTS: '.lan, other.test',
    });
    try {
      for (const host of ['bus.internal:8650', 'agent.lan', 'other.test', '127.0.0.1']) {
        expect((await requestWithHost(open.url, '/queue', host)).status, host).toBe(200);
      }
      const refused = await requestWithHost(open.url, '/queue', 'rebound.example');
      expect(refused).toMatchObject({ status: 403, body: { error: { code: 'host_not_allowed' } } });
    } finally {
      open.child.kill('SIGTERM');
      await open.exited;
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
    expect(stats.stdout.split('\n')[0]).toMatch(/^AGENT\s+READY\s+IN-FLIGHT\s+DELAYED\s+DEAD\s+OLDEST READY$/);
    expect(stats.stdout).toMatch(new RegExp(`\\n${to}\\s+1\\s+0\\s+0\\s+0\\s+\\d+\\.\\d s\\n`));

    const received = await client(['receive', '--agent', to, '--lease', '60']);
    expect(received.code).toBe(0);
    expect(received.stdout).toContain(`planner -> ${to}  note  "hi"  (attempt 1, receipt `);
    expect((await client(['receive', '--agent', to])).stdout).toBe('no messages\n');
  });

  test('receive without --ack prints the commands that finish the job, with the receipt filled in', async () => {
    const to = agent('hinted');
    await client(['send', '--from', 'planner', '--to', to]);
    const received = await client(['receive', '--agent', to, '--lease', '60']);
    expect(received.code).toBe(0);
    const receipt = /receipt (\S+)\)$/m.exec(received.stdout)?.[1];
    expect(receipt).toBeDefined();
    const hint = received.stderr.split('\n');
    expect(hint[0]).toMatch(
      /^not acknowledged: the lease runs out at \S+Z, then the message is delivered again\. Finish with:$/,
    );
    expect(hint.slice(1)).toEqual([
      `  done       fleet-bus ack --receipt ${receipt} --url ${bus.url}`,
      `  failed     fleet-bus nack --receipt ${receipt} [--delay SECONDS] [--reason TEXT] --url ${bus.url}`,
      `  more time  fleet-bus extend --receipt ${receipt} --lease SECONDS --url ${bus.url}`,
      '',
    ]);

    // The printed ack command is the one that works.
    expect(await client(['ack', '--receipt', receipt!])).toEqual({ code: 0, stdout: 'acked 1\n', stderr: '' });
    const stats = QueueStats.parse(await json(['stats']));
    expect(stats.recipients.find((r) => r.agent === to)).toBeUndefined();
  });

  test('ack takes every --receipt, all or none', async () => {
    const to = agent('acker');
    await client(['send', '--from', 'p', '--to', to]);
    await client(['send', '--from', 'p', '--to', to]);
    const leased = ReceiveResult.parse(await json(['receive', '--agent', to, '--limit', '2']));
    const [first, second] = leased.deliveries.map((delivery) => delivery.receipt);

    const refused = await client(['ack', '--receipt', first!, '--receipt', `${second}x`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^fleet-bus: receipt_(unknown|expired): [^\n]+\n$/);
    expect(await json(['ack', '--receipt', first!, `--receipt=${second}`])).toEqual({ acked: 2 });
  });

  test('nack gives the message back: with --delay it comes back later, out of attempts it is dead', async () => {
    const to = agent('nacker');
    const sent = SendResult.parse(await json(['send', '--from', 'p', '--to', to]));
    const id = sent.messages[0]!.id;
    const lease = async () => ReceiveResult.parse(await json(['receive', '--agent', to])).deliveries[0]!.receipt;

    const later = await client(['nack', '--receipt', await lease(), '--delay', '3600', '--reason', 'busy']);
    expect(later.code).toBe(0);
    expect(later.stdout).toMatch(new RegExp(`^nacked ${id}: delivered again at \\S+Z \\(1 attempt so far\\)\n$`));
    expect(QueueStats.parse(await json(['stats'])).recipients.find((r) => r.agent === to)).toMatchObject({
      ready: 0,
      delayed: 1,
    });

    // Out of attempts: the fifth nack dead-letters it.
    const doomed = agent('doomed');
    const doomedId = SendResult.parse(await json(['send', '--from', 'p', '--to', doomed])).messages[0]!.id;
    const leaseDoomed = async () =>
      ReceiveResult.parse(await json(['receive', '--agent', doomed])).deliveries[0]!.receipt;
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect(await json(['nack', '--receipt', await leaseDoomed(), '--delay', '0'])).toMatchObject({ state: 'ready' });
    }
    expect((await client(['nack', '--receipt', await leaseDoomed(), '--delay', '0'])).stdout).toBe(
      `nacked ${doomedId}: dead-lettered after 5 attempts (fleet-bus dlq list)\n`,
    );
  });

  test('extend moves the lease end; an expired receipt is a server error', async () => {
    const to = agent('slow');
    await client(['send', '--from', 'p', '--to', to]);
    const delivery = ReceiveResult.parse(await json(['receive', '--agent', to, '--lease', '5'])).deliveries[0]!;
    const extended = await client(['extend', '--receipt', delivery.receipt, '--lease', '600']);
    expect(extended.code).toBe(0);
    const until = /^lease extended until (\S+)\n$/.exec(extended.stdout)?.[1];
    expect(Date.parse(until!)).toBeGreaterThan(Date.parse(delivery.leaseExpiresAt));
    expect(await json(['ack', '--receipt', delivery.receipt])).toEqual({ acked: 1 });

    const gone = await client(['extend', '--receipt', delivery.receipt, '--lease', '10']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^fleet-bus: receipt_(unknown|expired): [^\n]+\n$/);
  });

  test('subscribe, subscriptions and unsubscribe manage who gets a topic', async () => {
    const reader = agent('reader');
    const topic = `news-${agents}`;
    const subscribed = await client(['subscribe', '--agent', reader, '--topic', topic]);
    expect(subscribed.code).toBe(0);
    expect(subscribed.stdout).toMatch(new RegExp(`^${reader} subscribed to ${topic} \\(since \\S+Z\\)\n$`));

    const listed = await client(['subscriptions', '--topic', topic]);
    expect(listed.stdout).toMatch(new RegExp(`^TOPIC\\s+AGENT\\s+SINCE\n${topic}\\s+${reader}\\s+\\S+Z\n$`));
    expect(await json(['subscriptions', '--agent', reader])).toMatchObject({
      subscriptions: [{ agent: reader, topic }],
      count: 1,
    });
    expect((await client(['send', '--from', 'p', '--topic', topic])).stdout).toMatch(/^sent 1 copy\n/);

    expect((await client(['unsubscribe', '--agent', reader, '--topic', topic])).stdout).toBe(
      `${reader} unsubscribed from ${topic}\n`,
    );
    expect((await client(['unsubscribe', '--agent', reader, '--topic', topic])).stdout).toBe(
      `${reader} was not subscribed to ${topic}, nothing changed\n`,
    );
    expect(await json(['unsubscribe', '--agent', reader, '--topic', topic])).toEqual({ removed: false });
    expect((await client(['subscriptions', '--topic', topic])).stdout).toBe('no subscriptions\n');
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

const COMMANDS = 'server, send, receive, ack, nack, extend, subscribe, unsubscribe, subscriptions, tail, stats, dlq';

describe('fleet-bus help', () => {
  // TEST and CI turn citty's colours off; clear them to see what a user's pipe gets.
  const colourful = { TEST: '', CI: '', NO_COLOR: '', TERM: 'xterm-256color' };

  test('--help into a pipe has no terminal escapes, lists the lease commands and exits 0', async () => {
    const result = await run(['--help'], colourful);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).toMatch(
      /^USAGE fleet-bus server\|send\|receive\|ack\|nack\|extend\|subscribe\|unsubscribe\|subscriptions\|/m,
    );
    expect(result.stdout).not.toMatch(/[ \t]$/m);
  });

  test('a subcommand --help has no escapes either', async () => {
    const result = await run(['nack', '--help'], colourful);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('USAGE fleet-bus nack [OPTIONS] --receipt=<receipt>');
    expect(result.stdout).not.toContain('\u001b');
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
    [
      ['server', '--port', '0', '--db', ''],
      'fleet-bus: --db (or $FLEET_BUS_DB) is empty: give a SQLite file, a postgres:// URL or :memory:',
    ],
    [
      ['server', '--allowed-host', 'http://bus.internal:8650'],
      'fleet-bus: allowed host "http://bus.internal:8650" is not a host name: give the name alone (bus.internal), .example.com for a domain and its subdomains, or * for any',
    ],
    [['ack'], 'fleet-bus: Missing required argument: --receipt'],
    [['extend', '--receipt', 'r'], 'fleet-bus: Missing required argument: --lease'],
    [['extend', '--receipt', 'r', '--lease', '0'], 'fleet-bus: --lease must be more than 0, got 0'],
    [['receive', '--agent', 'a', '--lease', '0'], 'fleet-bus: --lease must be more than 0, got 0'],
    [['nack', '--receipt', 'r', '--delay', 'soon'], 'fleet-bus: --delay must be a number, got "soon"'],
    [['subscribe', '--agent', 'a'], 'fleet-bus: Missing required argument: --topic'],
    [['launch'], `fleet-bus: unknown command "launch"; commands: ${COMMANDS}`],
    [['launch', '--help'], `fleet-bus: unknown command "launch"; commands: ${COMMANDS}`],
    [['dlq', 'empty'], 'fleet-bus: unknown command "dlq empty"; dlq commands: list, redrive, purge'],
    [['dlq'], 'fleet-bus: missing command; dlq commands: list, redrive, purge'],
    [['stats', '--url', 'not a url'], 'fleet-bus: --url: invalid base URL: not a url'],
  ])('bad arguments %j exit 2', async (args, line) => {
    const result = await run(args);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });

  test.each([
    [
      'a raw # in the password',
      'postgres://u:hun#ter2@127.0.0.1:1/db',
      "a '#', '/' or '?' in the user name or password",
    ],
    ['a port that is not a number', 'postgres://u:hunter2@127.0.0.1:notaport/db', 'check its host and port'],
  ])('a PostgreSQL URL with %s exits 1 in one line, before listening, without the password', async (_, db, reason) => {
    const result = await run(['server', '--port', '0', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fleet-bus: invalid PostgreSQL URL postgres:\/\/\*\*\*@127\.0\.0\.1:/);
    expect(lines[0]).toContain(reason);
    expect(lines[0]).toContain('percent-encode special characters');
    expect(result.stderr).not.toMatch(/ter2|listening|TypeError|at /);
  });

  test('an empty FLEET_BUS_DB (or one whose variable reference is empty) exits 2: SQLite would open a temporary database', async () => {
    const line = 'fleet-bus: --db (or $FLEET_BUS_DB) is empty: give a SQLite file, a postgres:// URL or :memory:\n';
    expect(await run(['server', '--port', '0'], { FLEET_BUS_DB: '' })).toEqual({ code: 2, stdout: '', stderr: line });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference fleet-bus expands, sent as it is
    expect(await run(['server', '--port', '0'], { FLEET_BUS_DB: '${NOTHING}', NOTHING: '' })).toEqual({
      code: 2,
      stdout: '',
      stderr: line,
    });
  });

  test('a --db (or FLEET_BUS_DB) naming an unset variable exits 2 with one line naming it', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference fleet-bus names, as written
    const line = 'fleet-bus: --db refers to ${FLEET_TEST_UNSET_DB_VAR}, which is not set\n';
    const env = { FLEET_BUS_DB: `postgres://bus:$\{FLEET_TEST_UNSET_DB_VAR}@127.0.0.1/fleet` };
    expect(await run(['server', '--port', '0'], env)).toEqual({ code: 2, stdout: '', stderr: line });
  });

  test('ack of more receipts than a batch holds exits 2', async () => {
    const receipts = Array.from({ length: 101 }, (_, index) => `--receipt=r${index}`);
    expect(await run(['ack', ...receipts])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'fleet-bus: at most 100 --receipt at once, got 101\n',
    });
  });

  test('a server bound beyond loopback without tokens names the --insecure flag', async () => {
    const result = await run(['server', '--host', '0.0.0.0', '--port', '0', '--db', ':memory:']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^fleet-bus: Refusing to listen on 0\.0\.0\.0 without a bearer token: .*pass --insecure /,
    );
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
