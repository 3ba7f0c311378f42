import { createServer, type IncomingHttpHeaders } from 'node:http';
import { KnowledgeDB } from '@fleet/sdk/stores';
import { afterEach, expect, test } from 'vitest';
import { registerPeers } from '../src/peer-specs.ts';

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
