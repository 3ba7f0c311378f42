import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { SyncEngine } from '../../src/stores/index.ts';
import { startTestKnowledge, type TestKnowledge } from '../_knowledge-server.ts';
import { openDb } from './_knowledge.ts';

const SECRET = 'INTERNAL-SECRET: db_password=hunter2';

/** A loopback HTTP service that is no knowledge node, answering every request with `answer`. */
interface InternalService {
  url: string;
  /** The paths it was asked for. */
  requests: string[];
}

const servers: Server[] = [];
const nodes: TestKnowledge[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.close()));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function internalService(answer: (response: ServerResponse) => void): Promise<InternalService> {
  const requests: string[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    requests.push(request.url ?? '');
    request.resume();
    answer(response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, requests };
}

async function knowledgeNode(): Promise<TestKnowledge> {
  const node = await startTestKnowledge();
  nodes.push(node);
  return node;
}

/** Registers `url` as peer `internal` of a fresh node, runs a sync; the `/sync/run` and `/sync/status` answers. */
async function syncWith(url: string) {
  const node = await knowledgeNode();
  const client = node.client();
  await client.addPeer({ id: 'internal', url });
  const run = await client.runSync();
  const status = await client.syncStatus();
  const result = run.results.find((entry) => entry.peer === 'internal');
  const peer = status.peers.find((entry) => entry.peer === 'internal');
  return { run, status, error: result?.error, lastError: peer?.lastError };
}

describe('sync failures report a foreign answer by its status, never its body', () => {
  test('a service answering 403 with a secret body and reason phrase: neither /sync/run nor /sync/status shows them', async () => {
    const service = await internalService((response) => {
      response.writeHead(403, 'db_password=hunter2', { 'content-type': 'text/plain' });
      response.end(SECRET);
    });
    const { run, status, error, lastError } = await syncWith(`${service.url}/admin/creds`);
    expect(service.requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(run)).not.toContain('hunter2');
    expect(JSON.stringify(status)).not.toContain('hunter2');
    expect(error).toBe(
      'unauthorized (HTTP 403): HTTP 403 from the peer, not a Fleet error answer (its body is not shown)',
    );
    expect(lastError).toBe(error);
  });

  test('a service answering 200 with a body that is not JSON: the failure does not quote the body', async () => {
    const service = await internalService((response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(SECRET);
    });
    const { run, status, error } = await syncWith(service.url);
    expect(JSON.stringify(run)).not.toContain('hunter2');
    expect(JSON.stringify(status)).not.toContain('hunter2');
    expect(error).toMatch(/HTTP 200.*not JSON/);
  });

  test('a peer answering with a Fleet error envelope keeps its code and message', async () => {
    const service = await internalService((response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'unauthorized', message: 'this token may not sync' } }));
    });
    const { error, lastError } = await syncWith(service.url);
    expect(error).toBe('unauthorized (HTTP 403): this token may not sync');
    expect(lastError).toBe(error);
  });
});

describe('the token a node sends its peer', () => {
  test('is never shown when the peer quotes it in its error envelope', async () => {
    const token = 'peer-token-4f9a1c';
    const service = await internalService((response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'unauthorized', message: `unknown token ${token} (${token})` } }));
    });
    const node = await knowledgeNode();
    const client = node.client();
    await client.addPeer({ id: 'echo', url: service.url, token });
    const run = await client.runSync();
    const status = await client.syncStatus();
    expect(JSON.stringify(run)).not.toContain(token);
    expect(JSON.stringify(status)).not.toContain(token);
    expect(run.results[0]?.error).toBe('unauthorized (HTTP 401): unknown token *** (***)');
  });
});

describe('a stored peer URL that is no base URL', () => {
  test('is refused without contacting it (a peer registered before URLs were checked)', async () => {
    const service = await internalService((response) => {
      response.writeHead(403);
      response.end(SECRET);
    });
    const db = openDb({ nodeId: 'a' });
    db.addPeer({ id: 'legacy', url: `${service.url}/admin/creds?x=` });
    const [result] = await new SyncEngine({ db }).syncAll();
    expect(service.requests).toEqual([]);
    expect(result).toMatchObject({ ok: false });
    expect(result?.error).toMatch(/^validation_failed: .*query string/);
    expect(db.peerState('legacy').lastError).toBe(result?.error);
  });
  test('names every problem of the URL on one line, never the URL or its password', async () => {
    const service = await internalService((response) => response.end(SECRET));
    const db = openDb({ nodeId: 'a' });
    db.addPeer({ id: 'legacy', url: `${service.url.replace('//', '//user:hunter2@')}/admin/creds?x=` });
    const [result] = await new SyncEngine({ db }).syncAll();
    expect(service.requests).toEqual([]);
    expect(result?.error).toBe(
      'validation_failed: peer legacy: its URL must not include credentials (user:password@); give the peer a token instead; ' +
        'must not have a query string (?…); register it again (POST /peers) with its base URL',
    );
    expect(result?.error).not.toMatch(/hunter2|admin/);
  });
});
