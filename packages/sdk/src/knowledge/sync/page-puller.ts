import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { KnowledgeClient, SyncPullInputInit } from '../knowledge-client.ts';
import type { PullTarget } from './pull-chain.ts';
import { type DecodedAnswer, decodePulledPage, type PulledPage, pulledPageOf } from './pulled-page.ts';
import { fromThreadError, type ThreadError } from './thread-errors.ts';

/** Pulls pages of one peer's feed and decodes them into {@link PulledPage}s. */
export interface PagePuller {
  /** Sends one `POST /sync/pull` and decodes the answer; rejects with `signal.reason` when aborted. */
  pull(input: SyncPullInputInit, signal: AbortSignal): Promise<PulledPage>;
  /** Ends a sync attempt: drops any page requested ahead of time. */
  release(nodeId: string): void;
}

/** Pulls through `client` and decodes in this thread. */
export function inThreadPuller(client: KnowledgeClient): PagePuller {
  return {
    pull: async (input, signal) => decodePulledPage(await client.pullText(input, { signal })),
    release: () => undefined,
  };
}

/**
 * Where the built worker script sits: next to the bundle this module is built into. Running from
 * the TypeScript sources (the tests), there is none.
 */
const WORKER_SCRIPT = new URL('./page-puller-worker.js', import.meta.url);

let workerScriptExists: boolean | undefined;

/** Whether this build has the pull worker's script (false when running from the TypeScript sources). */
export function pullWorkerAvailable(): boolean {
  workerScriptExists ??= WORKER_SCRIPT.protocol === 'file:' && existsSync(fileURLToPath(WORKER_SCRIPT));
  return workerScriptExists;
}

interface Pending {
  resolve: (page: PulledPage) => void;
  reject: (error: unknown) => void;
  /** Removes the abort listener. */
  done: () => void;
}

type WorkerReply = { id: number; decoded: DecodedAnswer } | { id: number; error: ThreadError };

/**
 * One worker thread that sends pulls and decodes their answers (JSON parsing, `ChangePage`
 * validation and the store's checks), for any number of peers, so the event loop only writes.
 * As soon as it hands over a page with more after it, the thread requests the next one (the
 * request the engine would send next; see `nextPullInput`): it arrives while the engine is still
 * writing the pages before, and the engine's request for it takes it over. The thread starts with
 * the first pull and holds the process open only while a pull is pending.
 */
export class PullWorker {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;

  /** A puller for one peer, whose requests this thread sends. */
  pullerFor(target: PullTarget): PagePuller {
    return {
      pull: (input, signal) => this.#pull(target, input, signal),
      release: (nodeId) => this.#worker?.postMessage({ op: 'release', target, nodeId }),
    };
  }

  /** Stops the thread; pulls still pending reject. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll(new Error('the pull worker was closed'));
    await worker?.terminate();
  }

  #pull(target: PullTarget, input: SyncPullInputInit, signal: AbortSignal): Promise<PulledPage> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const worker = this.#start();
    const id = ++this.#nextId;
    return new Promise<PulledPage>((resolve, reject) => {
      const onAbort = () => {
        worker.postMessage({ op: 'abort', id });
        this.#take(id)?.reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(id, { resolve, reject, done: () => signal.removeEventListener('abort', onAbort) });
      worker.postMessage({ op: 'pull', id, target, input });
    });
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SCRIPT);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.#settle(reply));
    worker.on('error', (error) => this.#stopped(worker, error));
    worker.on('exit', (code) => this.#stopped(worker, new Error(`the pull worker thread exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  /** Removes a pending pull (and its abort listener); undefined when it is settled already. */
  #take(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    pending.done();
    if (this.#pending.size === 0) this.#worker?.unref();
    return pending;
  }

  #settle(reply: WorkerReply): void {
    const pending = this.#take(reply.id);
    if (!pending) return;
    if ('error' in reply) {
      pending.reject(fromThreadError(reply.error));
      return;
    }
    try {
      pending.resolve(pulledPageOf(reply.decoded));
    } catch (error) {
      pending.reject(error);
    }
  }

  /** The thread died: fail what it held; the next pull starts a new one. */
  #stopped(worker: Worker, error: unknown): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    this.#failAll(error);
  }

  #failAll(error: unknown): void {
    for (const id of [...this.#pending.keys()]) this.#take(id)?.reject(error);
  }
}
