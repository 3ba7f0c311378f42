import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KnowledgeServerOptions, startKnowledgeServer } from '@fleet/knowledge-server';
import { afterAll, beforeAll } from 'vitest';
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

/** An answer as a test reads it: the status and the parsed JSON body (undefined when the body is empty). */
export interface TestAnswer {
  status: number;
  json: { error?: { code?: string; message?: string; details?: unknown }; [field: string]: unknown } | undefined;
}

/** One knowledge server shared by the tests of a file, with a client and plain HTTP calls to it. */
export interface FileKnowledge {
  /** The server; read it inside a test or hook, once `beforeAll` started it. */
  readonly node: TestKnowledge;
  /** A client of the server (no token, no retries). */
  readonly client: KnowledgeClient;
  /** `method path` sent as it is (no client-side checks or encoding), with `body` as JSON when given. */
  call(method: string, path: string, body?: unknown): Promise<TestAnswer>;
  /** `POST path` with `body` as JSON. */
  post(path: string, body: unknown): Promise<TestAnswer>;
}

/**
 * Starts a knowledge server (see {@link startTestKnowledge}) before the tests of the calling file or
 * `describe` block and closes it after them.
 */
export function useTestKnowledge(options: KnowledgeServerOptions = {}): FileKnowledge {
  let started: { node: TestKnowledge; client: KnowledgeClient } | undefined;
  const current = () => {
    if (!started) throw new Error('useTestKnowledge: the server is read before beforeAll started it');
    return started;
  };
  beforeAll(async () => {
    const node = await startTestKnowledge(options);
    started = { node, client: node.client() };
  });
  afterAll(() => started?.node.close());
  const call = async (method: string, path: string, body?: unknown): Promise<TestAnswer> => {
    const response = await fetch(
      `${current().node.url}${path}`,
      body === undefined
        ? { method }
        : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    );
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
  };
  return {
    get node() {
      return current().node;
    },
    get client() {
      return current().client;
    },
    call,
    post: (path, body) => call('POST', path, body),
  };
}
