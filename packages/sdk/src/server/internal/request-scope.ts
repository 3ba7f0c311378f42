import type { H3Event } from 'h3';
import { readBodyBytes } from './body.ts';
import type { RequestInput } from './request-input.ts';

/** Why the signals of in-flight requests abort when the server closes. */
export class ServerClosingError extends Error {
  override name = 'ServerClosingError' as const;
  constructor() {
    super('The server is closing');
  }
}

/** Shared by every request of one server: in-flight count, live signals, closing flag. */
export class ServerState {
  closing = false;
  inflight = 0;
  readonly controllers = new Set<AbortController>();
  #drainWaiters: Array<() => void> = [];

  begin(): void {
    this.inflight++;
  }

  end(): void {
    if (--this.inflight === 0 && this.#drainWaiters.length > 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves once no request is in flight. */
  drained(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Marks the server closing and aborts every live request signal. */
  close(): void {
    this.closing = true;
    const reason = new ServerClosingError();
    for (const controller of this.controllers) controller.abort(reason);
    this.controllers.clear();
  }
}

/**
 * The `ctx` a handler receives. The abort signal is created on first use only (most handlers never
 * read it) and follows both the client connection and the server's shutdown.
 */
export class RequestContext {
  params: unknown;
  query: unknown;
  body: unknown;
  readonly #input: RequestInput;
  readonly #state: ServerState;
  /** Undefined when the plumbing read the body for its schema. */
  readonly #bodyLimitBytes: number | undefined;
  #controller: AbortController | undefined;
  #rawBody: Promise<Uint8Array> | undefined;

  constructor(
    input: RequestInput,
    state: ServerState,
    params: unknown,
    query: unknown,
    body: unknown,
    bodyLimitBytes: number | undefined,
  ) {
    this.#input = input;
    this.#state = state;
    this.#bodyLimitBytes = bodyLimitBytes;
    this.params = params;
    this.query = query;
    this.body = body;
  }

  /** The body's exact bytes, read once within the body limit; empty when the plumbing already parsed it. */
  rawBody(): Promise<Uint8Array> {
    this.#rawBody ??=
      this.#bodyLimitBytes === undefined
        ? Promise.resolve(new Uint8Array())
        : readBodyBytes(this.#input.request, this.#bodyLimitBytes);
    return this.#rawBody;
  }

  /** The request's method: `HEAD` when a GET route answers a HEAD request. */
  get method(): string {
    return this.#input.request.method;
  }

  /** The h3 event (on a route served straight from node:http, built now, on first use). */
  get event(): H3Event {
    return this.#input.event();
  }

  get signal(): AbortSignal {
    return this.controller().signal;
  }

  /** The controller behind {@link signal}; aborting it aborts the handler's signal. */
  controller(): AbortController {
    if (this.#controller) return this.#controller;
    const controller = new AbortController();
    this.#controller = controller;
    if (this.#state.closing) {
      controller.abort(new ServerClosingError());
      return controller;
    }
    this.#state.controllers.add(controller);
    const client = this.#input.request.signal as AbortSignal | undefined;
    if (client) {
      if (client.aborted) controller.abort(client.reason);
      else client.addEventListener('abort', () => controller.abort(client.reason), { once: true });
    }
    return controller;
  }

  /** Forgets the signal once the request is answered. */
  release(): void {
    if (this.#controller) this.#state.controllers.delete(this.#controller);
  }
}
