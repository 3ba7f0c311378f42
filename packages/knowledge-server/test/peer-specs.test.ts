import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnowledgeClient } from '@fleet/sdk';
import { KnowledgeDB } from '@fleet/sdk/stores';
import { afterEach, expect, test } from 'vitest';
import { registerPeers } from '../src/peer-specs.ts';
import { type KnowledgeServerOptions, startKnowledgeServer } from '../src/server.ts';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** A host that answers `/health` as a knowledge node does, and keeps the headers it was sent. */
async function recordingPeer(nodeId: string): Promise<{ url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        status: 'ok',
        service: 'fleet-knowledge',
        version: '0.0.0',
        uptimeSeconds: 1,
        details: { nodeId },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

test('learning a peer id sends no token: the common one never reaches a peer with a token of its own', async () => {
  const peer = await recordingPeer('ezra');
  const db = new KnowledgeDB({ path: ':memory:', nodeId: 'here' });
  closers.push(() => db.close());
  await registerPeers(db, [{ url: peer.url, token: 'ezra-only' }], {
    token: 'common-token',
    signal: new AbortController().signal,
  });
  expect(db.peers().map((p) => p.id)).toEqual(['ezra']);
  expect(db.peerToken('ezra')).toBe('ezra-only');
  expect(peer.seen.length).toBeGreaterThan(0);
  for (const headers of peer.seen) expect(headers.authorization).toBeUndefined();
});

test('a --peer without a token keeps the token set through POST /peers across restarts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-knowledge-peers-'));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  const peerUrl = 'http://127.0.0.1:9';
  const options: KnowledgeServerOptions = {
    port: 0,
    db: join(dir, 'a.db'),
    nodeId: 'a',
    syncIntervalMs: 0,
    gcIntervalMs: 0,
    peers: [`b=${peerUrl}/`],
  };
  /** Starts the node with `extra` options, runs `check` on it, and closes it. */
  async function withNode(extra: Partial<KnowledgeServerOptions>, check: (url: string, db: KnowledgeDB) => unknown) {
    const node = await startKnowledgeServer({ ...options, ...extra });
    try {
      await check(node.url, node.db);
    } finally {
      await node.close();
    }
  }

  await withNode({}, async (url, db) => {
    expect(db.peerToken('b')).toBeUndefined();
    await new KnowledgeClient({ url }).addPeer({ id: 'b', url: peerUrl, token: 'secret-for-b' });
  });
  await withNode({}, (_, db) => {
    expect(db.peers()).toMatchObject([{ id: 'b', url: peerUrl, hasToken: true }]);
    expect(db.peerToken('b')).toBe('secret-for-b');
  });
  // A token given on the command line (--peer-token) still replaces the stored one.
  await withNode({ peerToken: 'common-token' }, async (url, db) => {
    expect(db.peerToken('b')).toBe('common-token');
    // POST /peers without a token removes it, as documented.
    expect(await new KnowledgeClient({ url }).addPeer({ id: 'b', url: peerUrl })).toMatchObject({ hasToken: false });
    expect(db.peerToken('b')).toBeUndefined();
  });
});
