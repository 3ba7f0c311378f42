// The worker thread of a PullWorker. Messages:
//   { op: 'pull', id, target, input }  send POST /sync/pull (or take the page already requested
//                                      ahead for it), decode the answer, reply { id, decoded } or
//                                      { id, error } (plain data: see thread-errors.ts), then
//                                      request the page after it ahead of time
//   { op: 'abort', id }                abort that pull
//   { op: 'release', target, nodeId }  drop the page requested ahead for that peer
import { parentPort } from 'node:worker_threads';
import { KnowledgeClient, type SyncPullInputInit } from '../knowledge-client.ts';
import { nextPullInput, type PullTarget, samePull } from './pull-chain.ts';
import { type DecodedAnswer, decodeAnswer } from './pulled-page.ts';
import { type ThreadError, toThreadError } from './thread-errors.ts';

type Request =
  | { op: 'pull'; id: number; target: PullTarget; input: SyncPullInputInit }
  | { op: 'abort'; id: number }
  | { op: 'release'; target: PullTarget; nodeId: string };

type Outcome = { decoded: DecodedAnswer } | { error: ThreadError };

/** A pull sent, with its outcome to come (never a rejection). */
interface SentPull {
  input: SyncPullInputInit;
  controller: AbortController;
  outcome: Promise<Outcome>;
}

const clients = new Map<string, KnowledgeClient>();
/** Pulls the parent waits for, by request id. */
const inflight = new Map<number, SentPull>();
/** The page after the last one handed over, requested ahead, by peer stream. */
const ahead = new Map<string, SentPull>();

function clientFor({ url, token, timeoutMs }: PullTarget): KnowledgeClient {
  const key = JSON.stringify([url, token, timeoutMs]);
  let client = clients.get(key);
  if (!client) {
    if (clients.size >= 256) clients.clear();
    client = new KnowledgeClient({ url, timeoutMs, retry: 0, ...(token === undefined ? {} : { token }) });
    clients.set(key, client);
  }
  return client;
}

const streamKey = (target: PullTarget, nodeId: string) => JSON.stringify([target.url, target.token, nodeId]);

function send(target: PullTarget, input: SyncPullInputInit): SentPull {
  const controller = new AbortController();
  const outcome = clientFor(target)
    .pullText(input, { signal: controller.signal })
    .then(
      (answer): Outcome => ({ decoded: decodeAnswer(answer) }),
      (error: unknown): Outcome => ({ error: toThreadError(error) }),
    );
  return { input, controller, outcome };
}

async function pull(id: number, target: PullTarget, input: SyncPullInputInit): Promise<void> {
  const key = streamKey(target, input.nodeId);
  let sent = ahead.get(key);
  ahead.delete(key);
  if (sent && !samePull(sent.input, input)) {
    sent.controller.abort();
    sent = undefined;
  }
  sent ??= send(target, input);
  inflight.set(id, sent);
  const outcome = await sent.outcome;
  inflight.delete(id);
  parentPort?.postMessage({ id, ...outcome });
  // The parent will ask for the page after this one as soon as it has this one: ask now, while it
  // is still busy writing the page before.
  const next = 'decoded' in outcome && outcome.decoded.ok ? nextPullInput(input, outcome.decoded.fields) : undefined;
  if (next && !sent.controller.signal.aborted && !ahead.has(key)) ahead.set(key, send(target, next));
}

parentPort?.on('message', (request: Request) => {
  if (request.op === 'pull') {
    void pull(request.id, request.target, request.input);
  } else if (request.op === 'abort') {
    inflight.get(request.id)?.controller.abort();
  } else {
    const key = streamKey(request.target, request.nodeId);
    ahead.get(key)?.controller.abort();
    ahead.delete(key);
  }
});
