import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KnowledgeServerOptions, startKnowledgeServer } from '@fleet/knowledge-server';
import { KnowledgeClient, type KnowledgeClientOptions } from '../src/index.ts';

/** A real knowledge server on a free port over a fresh SQLite file, and clients for it. */
export interface TestKnowledge {
  url: string;
  nodeId: string;
  /** A client of this server; `options` override the defaults (no token, no retries). */
  client(options?: Partial<KnowledgeClientOptions>): KnowledgeClient;
  /** Stops the server (idempotent); the data stays until the test process exits. */
  close(): Promise<void>;
}

/** Starts a knowledge server on port 0 with its own temp directory; it syncs only on demand. */
export async function startTestKnowledge(options: KnowledgeServerOptions = {}): Promise<TestKnowledge> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-knowledge-client-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const server = await startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: join(dir, 'knowledge.db'), ...options });
  let closed: Promise<void> | undefined;
  return {
    url: server.url,
    nodeId: server.nodeId,
    client: (overrides = {}) => new KnowledgeClient({ url: server.url, retry: 0, ...overrides }),
    close: () => {
      closed ??= server.close();
      return closed;
    },
  };
}
