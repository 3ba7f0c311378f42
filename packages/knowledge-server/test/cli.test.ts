import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteFactResult, Fact, FactPage, PeerList, SyncRunResult, SyncStatus } from '@fleet/sdk';
import { closedPort } from '@fleet/test-utils/closed-port';
import { type CliRun, runCli } from '@fleet/test-utils/run-cli';
import { FLEET_KNOWLEDGE_BIN, spawnKnowledge } from '@fleet/test-utils/spawn-knowledge';
import { type SpawnedServer, spawnServer } from '@fleet/test-utils/spawn-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// These run the BUILT bin (`npm test` builds first), as a user would.
const dir = mkdtempSync(join(tmpdir(), 'fleet-knowledge-cli-'));
const cleanEnv = {
  FLEET_KNOWLEDGE_URL: '',
  FLEET_KNOWLEDGE_TOKEN: '',
  FLEET_KNOWLEDGE_TOKENS: '',
  FLEET_KNOWLEDGE_PEER_TOKEN: '',
};
let node: SpawnedServer;
let spaces = 0;
/** A fresh key prefix, so tests sharing the server never see each other's facts. */
const space = (name: string) => `t${++spaces}/${name}`;

beforeAll(async () => {
  node = await spawnKnowledge(['--db', join(dir, 'main.db'), '--node-id', 'main-node'], cleanEnv);
});
afterAll(async () => {
  node.child.kill('SIGTERM');
  await node.exited;
  rmSync(dir, { recursive: true, force: true });
});

type Run = CliRun;

/** Runs `fleet-knowledge <args>` to completion. */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runCli(FLEET_KNOWLEDGE_BIN, args, { ...cleanEnv, ...env });
}

/** Runs a client command against `url` (the test server by default). */
const client = (args: string[], url = node.url) => run([...args, '--url', url]);

/** Runs a client command with `--json` and parses its output. */
async function json(args: string[], url = node.url): Promise<unknown> {
  const result = await client([...args, '--json'], url);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout);
}

/** Stops a spawned server and waits for it to exit. */
async function stop(server: SpawnedServer): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

describe('fleet-knowledge server', () => {
  test('prints its node id and the URL it listens on, on one line', () => {
    expect(node.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(node.stdout()).toBe(`fleet-knowledge main-node listening on ${node.url}\n`);
  });

  test('SIGTERM makes it close cleanly and exit 0', async () => {
    const other = await spawnKnowledge(['--db', ':memory:'], cleanEnv);
    other.child.kill('SIGTERM');
    expect(await other.exited).toBe(0);
    expect(other.stderr()).toBe('');
  });

  test('SIGINT makes it close cleanly and exit 0', async () => {
    const other = await spawnKnowledge(['--db', ':memory:'], cleanEnv);
    other.child.kill('SIGINT');
    expect(await other.exited).toBe(0);
  });

  test('keeps its node id across restarts on the same database', async () => {
    const db = join(dir, 'restart.db');
    const first = await spawnKnowledge(['--db', db, '--node-id', 'steady'], cleanEnv);
    await stop(first);
    const second = await spawnKnowledge(['--db', db], cleanEnv);
    try {
      expect(second.stdout()).toMatch(/^fleet-knowledge steady listening on /);
    } finally {
      await stop(second);
    }
  });

  test('accepts every --token and those of FLEET_KNOWLEDGE_TOKENS, and refuses a request without one', async () => {
    const secured = await spawnKnowledge(['--db', ':memory:', '--token', 'first', '--token=second'], {
      ...cleanEnv,
      FLEET_KNOWLEDGE_TOKENS: 'third, fourth',
    });
    try {
      for (const token of ['first', 'second', 'third', 'fourth']) {
        expect(await run(['status', '--url', secured.url, '--token', token])).toMatchObject({ code: 0 });
      }
      expect(await run(['status', '--url', secured.url], { FLEET_KNOWLEDGE_TOKEN: 'second' })).toMatchObject({
        code: 0,
      });
      const refused = await run(['status', '--url', secured.url]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^fleet-knowledge: unauthorized: [^\n]+\n$/);
    } finally {
      await stop(secured);
    }
  });

  test('refuses a non-loopback address without a token', async () => {
    const result = await run(['server', '--db', ':memory:', '--host', '0.0.0.0', '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^fleet-knowledge: Refusing to listen on 0\.0\.0\.0 without a bearer token/);
  });
});

describe('fleet-knowledge client commands', () => {
  test('put, get, query, delete: a round trip in JSON', async () => {
    const key = space('hosts/ezra/models');
    const put = Fact.parse(await json(['put', key, '["llama3"]', '--tag', 'inventory', '--tag=gpu', '--ttl', '3600']));
    expect(put).toMatchObject({ key, value: ['llama3'], tags: ['gpu', 'inventory'], source: 'main-node' });
    expect(put.expiresAt).not.toBeNull();

    expect(Fact.parse(await json(['get', key]))).toEqual(put);

    const page = FactPage.parse(await json(['query', '--prefix', key.split('/')[0]!, '--tag', 'gpu']));
    expect(page.facts.map((fact) => fact.key)).toEqual([key]);

    expect(DeleteFactResult.parse(await json(['delete', key]))).toMatchObject({ key, deleted: true });
    const missing = await client(['get', key]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^fleet-knowledge: not_found: [^\n]+\n$/);
  });

  test('human output: put and get show the fact on one line, query lists them, delete confirms', async () => {
    const base = space('human');
    const put = await client(['put', `${base}/a`, '{"n":1}', '--tag', 'x']);
    expect(put).toMatchObject({ code: 0, stderr: '' });
    expect(put.stdout).toMatch(new RegExp(`^${base}/a {2}\\{"n":1\\} {2}#x {2}\\(main-node \\d{15}-\\d{5}\\)\\n$`));
    await client(['put', `${base}/b`, '"text"']);
    expect((await client(['get', `${base}/b`])).stdout).toMatch(new RegExp(`^${base}/b {2}"text" {2}\\(main-node `));

    const query = await client(['query', '--prefix', `${base}/`]);
    expect(
      query.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split('  ')[0]),
    ).toEqual([`${base}/a`, `${base}/b`]);
    const paged = await client(['query', '--prefix', `${base}/`, '--limit', '1']);
    expect(paged.stdout).toMatch(/\nmore: --cursor \S+\n$/);
    expect((await client(['query', '--prefix', space('none')])).stdout).toBe('no facts\n');

    expect((await client(['delete', `${base}/a`])).stdout).toMatch(new RegExp(`^deleted ${base}/a \\(version `));
    expect((await client(['delete', `${base}/a`])).stdout).toBe(`no fact ${base}/a\n`);
  });

  test('peers add, list and remove manage the sync peers', async () => {
    expect(await json(['peers', 'add', 'peer-x', 'http://127.0.0.1:9', '--peer-token', 'secret'])).toMatchObject({
      id: 'peer-x',
      hasToken: true,
    });
    const list = PeerList.parse(await json(['peers', 'list']));
    expect(list.peers.map((peer) => peer.id)).toContain('peer-x');
    expect((await client(['peers', 'list'])).stdout).toMatch(/^peer-x {2}http:\/\/127\.0\.0\.1:9\/? {2}\(token\)$/m);
    expect((await client(['peers', 'remove', 'peer-x'])).stdout).toBe('removed peer-x\n');
    expect((await client(['peers', 'remove', 'peer-x'])).stdout).toBe('no peer peer-x\n');
  });

  test('peers add takes the peer token from FLEET_KNOWLEDGE_PEER_TOKEN when --peer-token is not given', async () => {
    const add = (id: string, env: NodeJS.ProcessEnv) =>
      run(['peers', 'add', id, 'http://127.0.0.1:9', '--url', node.url, '--json'], env);
    const fromEnv = await add('peer-env', { FLEET_KNOWLEDGE_PEER_TOKEN: 'peer-secret' });
    expect(fromEnv).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ id: 'peer-env', hasToken: true });
    expect(JSON.parse((await add('peer-none', {})).stdout)).toMatchObject({ id: 'peer-none', hasToken: false });
    const help = await run(['peers', 'add', '--help']);
    expect(help.stdout).toContain('$FLEET_KNOWLEDGE_PEER_TOKEN');
    for (const id of ['peer-env', 'peer-none']) await client(['peers', 'remove', id]);
  });

  test('a node started with --peer learns its id, and sync then status bring both nodes together', async () => {
    const other = await spawnKnowledge(
      ['--db', join(dir, 'other.db'), '--node-id', 'other-node', '--peer', node.url, '--sync-interval', '0'],
      cleanEnv,
    );
    try {
      // The id is asked from the peer's /health in the background: wait until it is registered.
      let peers = PeerList.parse(await json(['peers', 'list'], other.url));
      while (peers.count === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        peers = PeerList.parse(await json(['peers', 'list'], other.url));
      }
      expect(peers.peers.map((peer) => [peer.id, peer.url.replace(/\/$/, '')])).toEqual([['main-node', node.url]]);

      const key = space('shared');
      await json(['put', key, '"from main"']);
      const synced = SyncRunResult.parse(await json(['sync'], other.url));
      expect(synced.results).toMatchObject([{ peer: 'main-node', ok: true }]);
      expect(Fact.parse(await json(['get', key], other.url))).toMatchObject({
        value: 'from main',
        source: 'main-node',
      });

      const status = SyncStatus.parse(await json(['status'], other.url));
      expect(status).toMatchObject({ nodeId: 'other-node' });
      expect(status.peers[0]).toMatchObject({ peer: 'main-node', consecutiveFailures: 0, lagFacts: 0 });

      const human = await client(['status'], other.url);
      expect(human.stdout.split('\n')[0]).toMatch(/^node other-node {2}seq \d+ {2}conflicts lost 0$/);
      expect(human.stdout.split('\n')[1]).toMatch(/^PEER\s+URL\s+PULLED\s+PUSHED\s+LAG\s+CONFLICTS/);
      expect(human.stdout).toMatch(/\nmain-node\s+http:\/\/127\.0\.0\.1:\d+\/?\s+\d+\s+\d+\s+0\s+0\s+\d{4}-/);
      expect((await client(['sync'], other.url)).stdout).toMatch(/^PEER\s+RESULT\s+PULLED\s+PUSHED\nmain-node\s+ok\s/);
    } finally {
      await stop(other);
    }
  });

  test('--config runs a node as a knowledge service of the fleet file: its port, its token, the others as peers', async () => {
    const [p1, p2] = [await closedPort(), await closedPort()];
    const config = join(dir, 'fleet.yaml');
    writeFileSync(
      config,
      [
        'version: 1',
        'hosts: { local: { address: 127.0.0.1 } }',
        'services:',
        `  k1: { kind: knowledge, host: local, port: ${p1}, token: "\${K1_TOKEN}" }`,
        `  k2: { kind: knowledge, host: local, port: ${p2} }`,
      ].join('\n'),
    );
    const env = { ...cleanEnv, K1_TOKEN: 'k1-secret' };
    const start = (name: string) =>
      spawnServer(
        FLEET_KNOWLEDGE_BIN,
        ['server', '--config', config, '--service', name, '--db', ':memory:', '--sync-interval', '0'],
        env,
      );
    const [k1, k2] = [await start('k1'), await start('k2')];
    try {
      expect([k1.url, k2.url]).toEqual([`http://127.0.0.1:${p1}`, `http://127.0.0.1:${p2}`]);
      // k1 accepts its token only; k2 registered k1 as a peer with that token.
      expect((await client(['put', 'from/k1', '1'], k1.url)).code).toBe(1);
      expect(
        (await runCli(FLEET_KNOWLEDGE_BIN, ['put', 'from/k1', '1', '--url', k1.url, '--token', 'k1-secret'], cleanEnv))
          .code,
      ).toBe(0);
      expect(SyncRunResult.parse(await json(['sync'], k2.url)).results).toMatchObject([
        { peer: 'k1', ok: true, pulled: 1 },
      ]);
      expect(Fact.parse(await json(['get', 'from/k1'], k2.url))).toMatchObject({ value: 1, source: 'k1' });
    } finally {
      await Promise.all([stop(k1), stop(k2)]);
    }
  });

  test('--config with a service the file does not have is one line and exit 2', async () => {
    const config = join(dir, 'one.yaml');
    writeFileSync(
      config,
      'version: 1\nhosts: { local: { address: 127.0.0.1 } }\nservices:\n  k: { kind: knowledge, host: local, port: 1 }\n',
    );
    expect(await runCli(FLEET_KNOWLEDGE_BIN, ['server', '--config', config, '--service', 'nope'], cleanEnv)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'fleet-knowledge: --service: no knowledge service "nope" (knowledge services in the fleet file: k)\n',
    });
  });

  test('sync exits 1 naming the peers it could not sync with', async () => {
    const lonely = await spawnKnowledge(
      ['--db', ':memory:', '--peer', `gone=http://127.0.0.1:${await closedPort()}`, '--sync-interval', '0'],
      cleanEnv,
    );
    try {
      const result = await client(['sync'], lonely.url);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^PEER\s+RESULT.*\ngone\s+failed: /);
      expect(result.stderr).toBe('fleet-knowledge: sync failed with gone\n');
    } finally {
      await stop(lonely);
    }
  });
});

describe('fleet-knowledge failures: one line on stderr, no stack trace', () => {
  test.each([
    [['put', 'k'], 'fleet-knowledge: Missing required positional argument: VALUE'],
    [['put', 'k', '{oops'], `fleet-knowledge: VALUE is not valid JSON (quote a string: '"{oops"')`],
    [['put', 'k', '1', '--ttl', 'soon'], 'fleet-knowledge: --ttl must be a number, got "soon"'],
    [['put', 'k', '1', '--ttl', '0'], 'fleet-knowledge: --ttl must be positive, got 0'],
    [['put', 'k', '1', '--colour', 'red'], 'fleet-knowledge: unknown option: --colour'],
    [['get', 'k', 'extra'], 'fleet-knowledge: unexpected argument: extra'],
    [['get'], 'fleet-knowledge: Missing required positional argument: KEY'],
    [['query', '--limit', '0'], 'fleet-knowledge: --limit must be at least 1, got 0'],
    [
      ['query', '--since', 'yesterday'],
      'fleet-knowledge: --since must be an ISO time like 2025-01-31T12:00:00Z, got "yesterday"',
    ],
    [['query', '--tag'], 'fleet-knowledge: --tag needs a value'],
    [['server', '--port', '99999'], 'fleet-knowledge: --port must be at most 65535, got 99999'],
    [['server', '--port', '0', '--db', ''], 'fleet-knowledge: --db is empty: give a SQLite file or :memory:'],
    [['server', '--port', '0', '--db', ' '], 'fleet-knowledge: --db is empty: give a SQLite file or :memory:'],
    [
      ['server', '--sync-interval', 'often'],
      'fleet-knowledge: --sync-interval must be a duration like 500ms, 10s, 5m or 1h, got "often"',
    ],
    [
      ['server', '--peer', 'ftp://x'],
      'fleet-knowledge: --peer: invalid peer "ftp://x": the URL must be an http:// or https:// URL',
    ],
    [
      ['server', '--peer', 'http://127.0.0.1:8651/?x='],
      'fleet-knowledge: --peer: invalid peer "http://127.0.0.1:8651/?x=": the URL must not have a query string (?…)',
    ],
    [
      // The journal of a server started by systemd keeps what it prints: never the password.
      ['server', '--peer', 'http://ops:hunter2@127.0.0.1:8651'],
      'fleet-knowledge: --peer: invalid peer "http://***@127.0.0.1:8651": the URL must not include credentials (user:password@); give the peer a token instead',
    ],
    [
      ['server', '--peer', 'bad id=http://x'],
      'fleet-knowledge: --peer: invalid peer "bad id=http://x": "bad id" is not a valid node id',
    ],
    [
      ['launch'],
      'fleet-knowledge: unknown command "launch"; commands: server, put, get, query, delete, peers, sync, status',
    ],
    [
      ['launch', '--help'],
      'fleet-knowledge: unknown command "launch"; commands: server, put, get, query, delete, peers, sync, status',
    ],
    [['status', '--url', 'not a url'], 'fleet-knowledge: --url: invalid base URL: not a url'],
  ])('bad arguments %j exit 2', async (args, line) => {
    const result = await run(args);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });

  test('an unreachable server exits 1 naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(['get', 'k', '--url', url]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `fleet-knowledge: cannot reach ${url} (connection refused)\n`,
    });
  });

  test('FLEET_KNOWLEDGE_URL is the default --url', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(['status'], { FLEET_KNOWLEDGE_URL: url });
    expect(result.stderr).toBe(`fleet-knowledge: cannot reach ${url} (connection refused)\n`);
  });

  test('a key the server rejects exits 1 with the code and the field', async () => {
    const result = await client(['put', 'bad//key', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^fleet-knowledge: validation_failed: key: [^\n]+\n$/);
  });
});
