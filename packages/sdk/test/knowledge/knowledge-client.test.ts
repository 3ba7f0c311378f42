import { closedPort } from '@fleet/test-utils/closed-port';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Change, type Fact, FleetHttpError, isFleetHttpError, type KnowledgeClient } from '../../src/index.ts';
import { decodePulledPage } from '../../src/knowledge/sync/pulled-page.ts';
import { formatHlc } from '../../src/stores/index.ts';
import { deferred, rejectionOf } from '../_bus-server.ts';
import { startTestKnowledge, type TestKnowledge } from '../_knowledge-server.ts';

let node: TestKnowledge;
let client: KnowledgeClient;
let spaces = 0;
/** A fresh key prefix, so tests sharing the server never see each other's facts. */
const space = (name: string) => `t${++spaces}/${name}`;

beforeAll(async () => {
  node = await startTestKnowledge();
  client = node.client();
});
afterAll(() => node.close());

/** The `validation_failed` fields of an error. */
function fieldsOf(error: unknown): string[] {
  if (!isFleetHttpError(error)) throw error;
  const issues = (error.details as { issues?: Array<{ field: string }> } | undefined)?.issues ?? [];
  return issues.map((issue) => issue.field);
}

/** A change as another node `source` would send it, versioned `aheadMs` from now. */
function remoteChange(key: string, source: string, value: unknown, aheadMs = 0, deleted = false): Change {
  const ms = Date.now() + aheadMs;
  return {
    seq: 1,
    key,
    value: deleted ? null : (value as Change['value']),
    tags: [],
    source,
    version: formatHlc({ ms, counter: 0 }),
    updatedAt: new Date(ms).toISOString(),
    expiresAt: null,
    deleted,
  };
}

describe('KnowledgeClient: facts', () => {
  test('put stores a fact versioned by the node, with its tags deduplicated and sorted', async () => {
    const key = space('hosts/ezra/models');
    const fact = await client.put({ key, value: ['llama3'], tags: ['inventory', 'gpu', 'inventory'] });
    expect(fact).toMatchObject({ key, value: ['llama3'], tags: ['gpu', 'inventory'], source: node.nodeId });
    expect(fact.version).toMatch(/^\d{15}-\d{5}$/);
    expect(fact.expiresAt).toBeNull();
    expect(await client.get(key)).toEqual(fact);
  });

  test('a second put of the same key replaces it with a newer version', async () => {
    const key = space('counter');
    const first = await client.put({ key, value: 1 });
    const second = await client.put({ key, value: 2 });
    expect(second.version > first.version).toBe(true);
    expect((await client.get(key)).value).toBe(2);
  });

  test('put with a TTL returns when the fact expires', async () => {
    const fact = await client.put({ key: space('lease'), value: true, ttlSeconds: 3600 });
    expect(Date.parse(fact.expiresAt!) - Date.parse(fact.updatedAt)).toBe(3_600_000);
  });

  test('putBatch stores every fact of the batch', async () => {
    const a = space('a');
    const b = space('b');
    const result = await client.putBatch([
      { key: a, value: 'one' },
      { key: b, value: 'two' },
    ]);
    expect(result.count).toBe(2);
    expect(result.facts.map((fact) => fact.key)).toEqual([a, b]);
    expect((await client.get(b)).value).toBe('two');
  });

  test('putBatch with one invalid fact stores none and names the field', async () => {
    const good = space('good');
    const error = await rejectionOf(
      client.putBatch([
        { key: good, value: 1 },
        { key: 'bad//key', value: 2 },
      ]),
    );
    expect(fieldsOf(error)).toEqual(['facts.1.key']);
    expect(await client.find(good)).toBeUndefined();
  });

  test('get of a missing key throws not_found; find returns undefined', async () => {
    const error = await rejectionOf(client.get(space('missing')));
    expect(error).toBeInstanceOf(FleetHttpError);
    expect(error).toMatchObject({ status: 404, code: 'not_found' });
    expect(await client.find(space('missing'))).toBeUndefined();
  });

  test('delete writes a tombstone once: the fact is gone, a second delete deletes nothing', async () => {
    const key = space('doomed');
    const fact = await client.put({ key, value: 'x' });
    const deleted = await client.delete(key);
    expect(deleted.deleted).toBe(true);
    expect(deleted.version! > fact.version).toBe(true);
    expect(await client.find(key)).toBeUndefined();
    expect(await client.delete(key)).toEqual({ key, deleted: false, version: null });
  });
});

describe('KnowledgeClient: keys with /', () => {
  test('get, find and delete address a key with slashes, spaces and %', async () => {
    const key = space('notes/ezra models/100%');
    await client.put({ key, value: 'odd' });
    expect((await client.get(key)).value).toBe('odd');
    expect((await client.delete(key)).deleted).toBe(true);
    expect(await client.find(key)).toBeUndefined();
  });

  test('the server takes the key raw or URL-encoded in /facts/<key>', async () => {
    const key = space('hosts/ezra/gpu');
    await client.put({ key, value: 'a100' });
    for (const path of [key, encodeURIComponent(key), key.replace('/gpu', '%2Fgpu')]) {
      const response = await fetch(`${node.url}/facts/${path}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as Fact).key).toBe(key);
    }
    const deleted = await fetch(`${node.url}/facts/${key}`, { method: 'DELETE' });
    expect(await deleted.json()).toMatchObject({ key, deleted: true });
  });

  test('a key with a . or .. segment is refused, as no URL could address it', async () => {
    expect(fieldsOf(await rejectionOf(client.put({ key: space('a/../b'), value: 1 })))).toEqual(['key']);
  });
});

describe('KnowledgeClient: query', () => {
  test('filters by prefix, tag, full text and update time, ordered by key', async () => {
    const base = space('q');
    await client.putBatch([
      { key: `${base}/c`, value: { model: 'mistral' }, tags: ['gpu'] },
      { key: `${base}/a`, value: { model: 'llama3' }, tags: ['gpu'] },
      { key: `${base}/b`, value: { model: 'phi' } },
    ]);
    const byPrefix = await client.query({ prefix: `${base}/` });
    expect(byPrefix.facts.map((fact) => fact.key)).toEqual([`${base}/a`, `${base}/b`, `${base}/c`]);
    expect(byPrefix).toMatchObject({ count: 3, nextCursor: null });

    const byTag = await client.query({ prefix: `${base}/`, tag: 'gpu' });
    expect(byTag.facts.map((fact) => fact.key)).toEqual([`${base}/a`, `${base}/c`]);

    const byText = await client.query({ prefix: `${base}/`, q: 'llama3' });
    expect(byText.facts.map((fact) => fact.key)).toEqual([`${base}/a`]);

    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await client.query({ prefix: `${base}/`, updatedSince: future })).count).toBe(0);
  });

  test('pages follow nextCursor until it is null, and queryAll walks every page', async () => {
    const base = space('paged');
    const keys = ['e', 'a', 'd', 'b', 'c'].map((name) => `${base}/${name}`);
    await client.putBatch(keys.map((key) => ({ key, value: key })));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await client.query({ prefix: `${base}/`, limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.facts.map((fact) => fact.key));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual([...keys].sort());

    const all: string[] = [];
    for await (const fact of client.queryAll({ prefix: `${base}/`, limit: 2 })) all.push(fact.key);
    expect(all).toEqual([...keys].sort());
  });

  test('full-text syntax the index cannot parse is validation_failed on q', async () => {
    expect(fieldsOf(await rejectionOf(client.query({ q: '"unterminated' })))).toEqual(['q']);
  });

  test('a bad tag filter is validation_failed on tag', async () => {
    expect(fieldsOf(await rejectionOf(client.query({ tag: '-bad tag' })))).toEqual(['tag']);
  });
});

describe('KnowledgeClient: changes feed and sync routes', () => {
  test('changes lists puts and tombstones after since, in feed order', async () => {
    const { seq: since } = await client.syncStatus();
    const key = space('fed');
    await client.put({ key, value: 1 });
    await client.delete(key);
    const page = await client.changes({ since });
    expect(page.nodeId).toBe(node.nodeId);
    const mine = page.changes.filter((change) => change.key === key);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ key, deleted: true, source: node.nodeId });
    expect(page.nextSince).toBeGreaterThan(since);
    expect((await client.changes({ since: page.nextSince })).changes).toEqual([]);
  });

  test('pull returns the feed to a peer, page by page', async () => {
    const since = (await client.syncStatus()).seq;
    const keys = [space('p1'), space('p2'), space('p3')];
    for (const key of keys) await client.put({ key, value: key });
    const first = await client.pull({ nodeId: 'puller-1', since, limit: 2 });
    expect(first).toMatchObject({ nodeId: node.nodeId, count: 2, hasMore: true });
    const second = await client.pull({ nodeId: 'puller-1', since: first.nextSince, limit: 2 });
    expect(second).toMatchObject({ count: 1, hasMore: false });
    expect([...first.changes, ...second.changes].map((change) => change.key)).toEqual(keys);
  });

  test('pullText answers the same page as text, which decodePulledPage validates and checks', async () => {
    const since = (await client.syncStatus()).seq;
    const keys = [space('t1'), space('t2')];
    for (const key of keys) await client.put({ key, value: { key }, tags: ['text'] });
    const answer = await client.pullText({ nodeId: 'puller-2', since, limit: 10 });
    expect(answer).toMatchObject({ status: 200, request: `POST ${node.url}/sync/pull` });
    expect(JSON.parse(answer.text)).toEqual(await client.pull({ nodeId: 'puller-2', since, limit: 10 }));
    const page = decodePulledPage(answer);
    expect(page).toMatchObject({ nodeId: node.nodeId, count: 2, hasMore: false });
    expect(page.checked.items.map((item) => [item.key, item.valueText, item.tags])).toEqual(
      keys.map((key) => [key, JSON.stringify({ key }), ['text']]),
    );
  });

  test('push applies a remote change once: last writer wins, a repeat is ignored', async () => {
    const key = space('pushed');
    const change = remoteChange(key, 'remote-node', { from: 'remote' }, 1000);
    const applied = await client.push({ nodeId: 'remote-node', changes: [change] });
    expect(applied).toEqual({ nodeId: node.nodeId, applied: 1, ignored: 0, conflictsLost: 0 });
    expect(await client.get(key)).toMatchObject({ value: { from: 'remote' }, source: 'remote-node' });
    expect(await client.push({ nodeId: 'remote-node', changes: [change] })).toMatchObject({ applied: 0, ignored: 1 });
  });

  test('push of a change from a clock far ahead is clock_skew on the version', async () => {
    const change = remoteChange(space('future'), 'fast-node', 1, 3_600_000);
    const error = await rejectionOf(client.push({ nodeId: 'fast-node', changes: [change] }));
    expect(error).toMatchObject({ status: 422, code: 'clock_skew' });
    expect((error as FleetHttpError).details).toMatchObject({ field: 'version' });
  });

  test('peers, addPeer and removePeer manage the peer list without ever returning tokens', async () => {
    const peer = await client.addPeer({ id: 'peer-a', url: 'http://127.0.0.1:9/', token: 'secret' });
    expect(peer).toMatchObject({ id: 'peer-a', hasToken: true });
    const list = await client.peers();
    expect(list.peers.find((p) => p.id === 'peer-a')).toMatchObject({ hasToken: true });
    expect(JSON.stringify(list)).not.toContain('secret');
    expect(await client.removePeer('peer-a')).toEqual({ removed: true });
    expect(await client.removePeer('peer-a')).toEqual({ removed: false });
  });

  test('runSync pulls from and pushes to a peer; syncStatus reports it', async () => {
    const other = await startTestKnowledge();
    try {
      const remote = other.client();
      await client.addPeer({ id: other.nodeId, url: other.url });
      const fromOther = space('from-other');
      const fromHere = space('from-here');
      await remote.put({ key: fromOther, value: 'theirs' });
      await client.put({ key: fromHere, value: 'ours' });

      const run = await client.runSync();
      const result = run.results.find((r) => r.peer === other.nodeId);
      expect(result).toMatchObject({ ok: true, error: null });
      expect(result!.pulled).toBeGreaterThanOrEqual(1);
      expect(result!.pushed).toBeGreaterThanOrEqual(1);
      expect(await client.get(fromOther)).toMatchObject({ value: 'theirs', source: other.nodeId });
      expect(await remote.get(fromHere)).toMatchObject({ value: 'ours', source: node.nodeId });

      const status = await client.syncStatus();
      expect(status.nodeId).toBe(node.nodeId);
      const peer = status.peers.find((p) => p.peer === other.nodeId);
      expect(peer).toMatchObject({ url: expect.stringContaining(other.url), lagFacts: 0, consecutiveFailures: 0 });
      expect(peer!.lastSuccessAt).not.toBeNull();
    } finally {
      await client.removePeer(other.nodeId);
      await other.close();
    }
  });

  test('runSync reports an unreachable peer as failed without failing the call', async () => {
    const id = 'gone-peer';
    await client.addPeer({ id, url: `http://127.0.0.1:${await closedPort()}` });
    try {
      const run = await client.runSync();
      const result = run.results.find((r) => r.peer === id);
      expect(result).toMatchObject({ ok: false, pulled: 0, pushed: 0 });
      expect(result!.error).toMatch(/\S/);
      const peer = (await client.syncStatus()).peers.find((p) => p.peer === id);
      expect(peer).toMatchObject({ consecutiveFailures: 1 });
      expect(peer!.lastError).toMatch(/\S/);
    } finally {
      await client.removePeer(id);
    }
  });
});

describe('KnowledgeClient: watch', () => {
  test('watch yields each change under its prefix from when it opened, deletions included', async () => {
    const base = space('watched');
    const opened = deferred();
    const controller = new AbortController();
    const received: Change[] = [];
    const done = (async () => {
      for await (const change of client.watch(`${base}/`, { signal: controller.signal, onOpen: opened.resolve })) {
        received.push(change);
        if (received.length === 2) controller.abort();
      }
    })();
    await opened.promise;
    await client.put({ key: space('elsewhere'), value: 0 });
    await client.put({ key: `${base}/x`, value: 1 });
    await client.delete(`${base}/x`);
    await done;
    expect(received.map((change) => [change.key, change.deleted])).toEqual([
      [`${base}/x`, false],
      [`${base}/x`, true],
    ]);
  });

  test('watch sees changes applied from a peer', async () => {
    const key = space('remote-watch');
    const opened = deferred();
    const controller = new AbortController();
    const next = (async () => {
      for await (const change of client.watch(key, { signal: controller.signal, onOpen: opened.resolve })) {
        controller.abort();
        return change;
      }
      return undefined;
    })();
    await opened.promise;
    await client.push({ nodeId: 'remote-node', changes: [remoteChange(key, 'remote-node', 'hi')] });
    expect(await next).toMatchObject({ key, value: 'hi', source: 'remote-node' });
  });
});

describe('KnowledgeClient: common routes', () => {
  test('health names the node and its storage', async () => {
    const health = await client.health();
    expect(health).toMatchObject({ status: 'ok', service: 'fleet-knowledge' });
    expect(health.details).toEqual({ nodeId: node.nodeId, storage: 'sqlite' });
  });

  test('metrics report facts, tombstones and the feed position', async () => {
    await client.put({ key: space('metric'), value: 1 });
    const text = await client.metrics();
    expect(text).toMatch(/^fleet_knowledge_facts [1-9]\d*$/m);
    expect(text).toMatch(/^fleet_knowledge_tombstones \d+$/m);
    expect(text).toMatch(/^fleet_knowledge_seq [1-9]\d*$/m);
  });

  test('openapi documents the fact routes with the key as a path parameter', async () => {
    const doc = (await client.openapi()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/facts/{key}'] ?? {}).sort()).toEqual(['delete', 'get']);
  });
});

describe('KnowledgeClient: error envelopes', () => {
  test('a bad key is validation_failed naming key, in the body and in the path', async () => {
    const put = await rejectionOf(client.put({ key: '/leading', value: 1 }));
    expect(put).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(fieldsOf(put)).toEqual(['key']);
    expect(fieldsOf(await rejectionOf(client.get('a//b')))).toEqual(['key']);
  });

  test('a bad tag is validation_failed naming the tag', async () => {
    const error = await rejectionOf(client.put({ key: space('tagged'), value: 1, tags: ['ok', 'not ok'] }));
    expect(fieldsOf(error)).toEqual(['tags.1']);
  });

  test('without a token, a secured server answers unauthorized (health stays open)', async () => {
    const secured = await startTestKnowledge({ tokens: ['s3cret'] });
    try {
      const error = await rejectionOf(secured.client().put({ key: 'k', value: 1 }));
      expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
      expect(await rejectionOf(secured.client({ token: 'wrong' }).query())).toMatchObject({ code: 'unauthorized' });
      expect((await secured.client({ token: 's3cret' }).put({ key: 'k', value: 1 })).key).toBe('k');
      expect((await secured.client().health()).status).toBe('ok');
    } finally {
      await secured.close();
    }
  });

  test('a body over the limit is payload_too_large', async () => {
    const small = await startTestKnowledge({ bodyLimitBytes: 1024 });
    try {
      const error = await rejectionOf(small.client().put({ key: 'big', value: 'x'.repeat(4096) }));
      expect(error).toMatchObject({ status: 413, code: 'payload_too_large' });
    } finally {
      await small.close();
    }
  });
});
