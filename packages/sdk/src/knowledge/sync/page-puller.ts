import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { KnowledgeClient, SyncPullInputInit } from '../knowledge-client.ts';
import type { PullTarget } from './peer-client.ts';
import { type DecodedAnswer, decodePulledPage, type PulledPage, pulledPageOf } from './pulled-page.ts';
import { fromThreadError, type ThreadError } from './thread-errors.ts';

/** Pulls pages of one peer's feed and decodes them into {@link PulledPage}s. */
export interface PagePuller {
  /** Sends one `POST /sync/pull` and decodes the answer; rejects with `signal.reason` when aborted. */
  pull(input: SyncPullInputInit, signal: AbortSignal): Promise<PulledPage>;
}

/** Pulls through `client` and decodes in this thread. */
export function inThreadPuller(client: KnowledgeClient): PagePuller {
  return {
    pull: async (input, signal) => decodePulledPage(await client.pullText(input, { signal })),
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
 * validation and the store's checks), for any number of peers, so the event loop only writes:
 * the page the engine requests ahead arrives checked while it writes the one before. The thread
 * starts with the first pull and holds the process open only while a pull is pending.
 */
export class PullWorker {
  readonly #script: URL;
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;

  /**
   * @param script The worker thread's script. @default the built `page-puller-worker.js` next to
   * this bundle (tests of the TypeScript sources pass the built one in `dist/`)
   */
  constructor(script: URL = WORKER_SCRIPT) {
    this.#script = script;
  }

  /** A puller for one peer, whose requests this thread sends. */
  pullerFor(target: PullTarget): PagePuller {
    return { pull: (input, signal) => this.#pull(target, input, signal) };
  }

  /** Stops the thread for good; pulls still pending, and any made later, reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll(new Error('the pull worker was closed'));
    await worker?.terminate();
  }

  #pull(target: PullTarget, input: SyncPullInputInit, signal: AbortSignal): Promise<PulledPage> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(new Error('the pull worker was closed'));
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
    const worker = new Worker(this.#script);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.#settle(reply));
    worker.on('messageerror', (error) => this.#stopped(worker, error));
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

  /** The thread died (or a reply could not be read): fail what it held; the next pull starts a new one. */
  #stopped(worker: Worker, error: unknown): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    this.#failAll(error);
    void worker.terminate();
  }

  #failAll(error: unknown): void {
    for (const id of [...this.#pending.keys()]) this.#take(id)?.reject(error);
  }
}
