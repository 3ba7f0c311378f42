import { createServer, type Server, type Socket } from 'node:net';
import { createKnowledgeServer, startKnowledgeServer } from '@fleet/knowledge-server';
import { afterEach } from 'vitest';
import { type Change, KnowledgeClient, type Peer } from '../../src/index.ts';
import { KnowledgeDB } from '../../src/stores/index.ts';
import { freshPath } from './_knowledge.ts';

/** A real knowledge server on port 0 over a fresh SQLite file, syncing only on demand. */
export interface PeerNode {
  url: string;
  nodeId: string;
  /** The server's own database (for gc() and direct writes). */
  db: KnowledgeDB;
  client: KnowledgeClient;
  close(): Promise<void>;
}

const running: PeerNode[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.close()));
});

function track(node: Omit<PeerNode, 'client' | 'close'>, close: () => Promise<void>): PeerNode {
  let closed: Promise<void> | undefined;
  const peer: PeerNode = {
    ...node,
    client: new KnowledgeClient({ url: node.url, retry: 0 }),
    close: () => {
      closed ??= close();
      return closed;
    },
  };
  running.push(peer);
  return peer;
}

/** `startKnowledgeServer` with node id `nodeId` (and `bodyLimitBytes` when given), closed after the test. */
export async function startPeer(nodeId: string, options: { bodyLimitBytes?: number } = {}): Promise<PeerNode> {
  const server = await startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: freshPath(), nodeId, ...options });
  return track({ url: server.url, nodeId, db: server.db }, () => server.close());
}

/** A knowledge server over a database that keeps tombstones for `retentionSeconds` only. */
export async function startForgetfulPeer(nodeId: string, retentionSeconds: number): Promise<PeerNode> {
  const db = new KnowledgeDB({ path: freshPath(), nodeId, tombstoneRetentionSeconds: retentionSeconds });
  const server = createKnowledgeServer({ db, syncIntervalMs: 0 });
  const { url } = await server.listen({ host: '127.0.0.1', port: 0 });
  return track({ url, nodeId, db }, () => server.close());
}

/** A port nothing listens on: connections to it are refused. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** A TCP server that accepts connections and never answers; `close()` drops them. */
export async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** One request a {@link recordingClientFor} client sent, with the number of changes in its body and answer. */
export interface RecordedRequest {
  peer: string;
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  /** The answer's HTTP status. */
  status?: number;
  /** Changes in a `/sync/pull` answer. */
  pulledChanges?: number;
}

/**
 * A `clientFor` whose clients send through the real `fetch` and write down every request (and the
 * size of every pulled page) in `log`.
 */
export function recordingClientFor(log: RecordedRequest[], timeoutMs = 30_000) {
  return (peer: Peer) =>
    new KnowledgeClient({
      url: peer.url,
      retry: 0,
      timeoutMs,
      fetch: async (input, init) => {
        const request = new Request(input, init);
        const path = new URL(request.url).pathname;
        const body =
          request.method === 'POST' ? ((await request.clone().json()) as Record<string, unknown>) : undefined;
        const entry: RecordedRequest = { peer: peer.id, method: request.method, path, body };
        log.push(entry);
        const response = await fetch(request);
        entry.status = response.status;
        if (path === '/sync/pull' && response.ok) {
          entry.pulledChanges = ((await response.clone().json()) as { changes: unknown[] }).changes.length;
        }
        return response;
      },
    });
}

/** Every key's state (tombstones included) in a remote node's feed, without seq, sorted by key. */
export async function remoteSnapshot(client: KnowledgeClient): Promise<Omit<Change, 'seq'>[]> {
  const states: Omit<Change, 'seq'>[] = [];
  let since = 0;
  for (;;) {
    const page = await client.changes({ since, limit: 5000 });
    for (const { seq: _, ...rest } of page.changes) states.push(rest);
    if (!page.hasMore) break;
    since = page.nextSince;
  }
  return states.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The number of changes in each recorded `/sync/push` request, in order. */
export function pushSizes(log: readonly RecordedRequest[]): number[] {
  return log
    .filter((entry) => entry.path === '/sync/push')
    .map((entry) => (Array.isArray(entry.body?.changes) ? entry.body.changes.length : -1));
}
