// The worker thread of a PullWorker. Messages:
//   { op: 'pull', id, target, input }  send POST /sync/pull, decode the answer, reply { id, decoded }
//                                      or { id, error } (plain data: see thread-errors.ts)
//   { op: 'abort', id }                abort that pull
import { parentPort } from 'node:worker_threads';
import type { KnowledgeClient, SyncPullInputInit } from '../knowledge-client.ts';
import { type PullTarget, peerClient } from './peer-client.ts';
import { type DecodedAnswer, decodeAnswer } from './pulled-page.ts';
import { type ThreadError, toThreadError } from './thread-errors.ts';

type Request = { op: 'pull'; id: number; target: PullTarget; input: SyncPullInputInit } | { op: 'abort'; id: number };

type Outcome = { decoded: DecodedAnswer } | { error: ThreadError };

/** Clients kept for reuse (one per peer and token); the cache starts over past this many. */
const MAX_CLIENTS = 256;

const clients = new Map<string, KnowledgeClient>();
/** Aborts of the pulls running, by request id. */
const inflight = new Map<number, AbortController>();

function clientFor(target: PullTarget): KnowledgeClient {
  const key = JSON.stringify([target.url, target.token, target.timeoutMs]);
  let client = clients.get(key);
  if (!client) {
    if (clients.size >= MAX_CLIENTS) clients.clear();
    client = peerClient(target);
    clients.set(key, client);
  }
  return client;
}

async function pull(id: number, target: PullTarget, input: SyncPullInputInit): Promise<void> {
  const controller = new AbortController();
  inflight.set(id, controller);
  let outcome: Outcome;
  try {
    const answer = await clientFor(target).pullText(input, { signal: controller.signal });
    outcome = { decoded: decodeAnswer(answer) };
  } catch (error) {
    outcome = { error: toThreadError(error) };
  } finally {
    inflight.delete(id);
  }
  try {
    parentPort?.postMessage({ id, ...outcome });
  } catch (error) {
    parentPort?.postMessage({ id, error: toThreadError(error) });
  }
}

parentPort?.on('message', (request: Request) => {
  if (request.op === 'pull') void pull(request.id, request.target, request.input);
  else inflight.get(request.id)?.abort();
});
