import { z } from 'zod';
import { defineRoute } from '../../src/contract/route.ts';
import { FleetError } from '../../src/errors.ts';
import { ErrorCode } from '../../src/schemas/error.ts';
import { createFleetServer, type FleetServer, type FleetServerOptions, implement } from '../../src/server/index.ts';

/** A tiny contract exercising every feature of the plumbing. */
export const toyRoutes = {
  getItem: defineRoute({
    method: 'GET',
    path: '/items/:id',
    summary: 'One item',
    params: z.strictObject({ id: z.string().min(2) }),
    response: z.object({ id: z.string() }),
  }),
  listItems: defineRoute({
    method: 'GET',
    path: '/items',
    summary: 'List items',
    query: z.strictObject({
      limit: z.coerce.number().int().min(1).max(10).default(5),
      tag: z.union([z.string(), z.array(z.string())]).optional(),
    }),
    response: z.object({ limit: z.number(), tags: z.array(z.string()) }),
  }),
  send: defineRoute({
    method: 'POST',
    path: '/messages',
    summary: 'Send messages',
    body: z.strictObject({
      messages: z.array(z.strictObject({ to: z.string().min(1), text: z.string().default('') })).min(1),
    }),
    response: z.object({ sent: z.number() }),
    status: 201,
  }),
  fail: defineRoute({
    method: 'POST',
    path: '/fail/:code',
    summary: 'Throws the FleetError named by the path',
    params: z.object({ code: ErrorCode }),
    response: z.object({}),
    auth: false,
  }),
  crash: defineRoute({ method: 'GET', path: '/crash', summary: 'Throws a plain Error', response: z.object({}) }),
  slow: defineRoute({
    method: 'GET',
    path: '/slow',
    summary: 'Waits for the test',
    response: z.object({ done: z.boolean() }),
  }),
  version: defineRoute({ method: 'GET', path: '/version', summary: 'Plain text', response: z.string(), kind: 'text' }),
  stream: defineRoute({
    method: 'GET',
    path: '/stream',
    summary: 'Counts, then waits for the end',
    query: z.object({ count: z.coerce.number().int().min(0) }),
    response: z.object({ n: z.number() }),
    kind: 'sse',
  }),
} as const;

/** A promise with its resolve function. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** What the toy handlers report to the test. */
export function createProbe() {
  return {
    slowStarted: deferred<AbortSignal>(),
    slowRelease: deferred(),
    streamEnded: deferred<{ aborted: boolean }>(),
    events: [] as string[],
  };
}
export type Probe = ReturnType<typeof createProbe>;

export const SECRET = 'db password is hunter2';

/** The toy server's route implementations. */
export function toyImplementations(probe: Probe) {
  return [
    implement(toyRoutes.getItem, ({ params }) => ({ id: params.id })),
    implement(toyRoutes.listItems, ({ query }) => ({
      limit: query.limit,
      tags: query.tag === undefined ? [] : [query.tag].flat(),
    })),
    implement(toyRoutes.send, async ({ body }) => ({ sent: body.messages.length })),
    implement(toyRoutes.fail, ({ params }) => {
      throw new FleetError(params.code, `failing with ${params.code}`, { details: { field: 'receipts.0' } });
    }),
    implement(toyRoutes.crash, () => {
      throw new Error(SECRET);
    }),
    implement(toyRoutes.slow, async ({ signal }) => {
      probe.slowStarted.resolve(signal);
      await probe.slowRelease.promise;
      probe.events.push('slow handler done');
      return { done: true };
    }),
    implement(toyRoutes.version, () => 'toy 1.2.3'),
    implement(toyRoutes.stream, async function* ({ query, signal }) {
      try {
        for (let n = 0; n < query.count; n++) yield { n };
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      } finally {
        probe.streamEnded.resolve({ aborted: signal.aborted });
      }
    }),
  ];
}

/** How a suite reaches the server: in-process through `server.fetch`, or over a real socket. */
export type Mode = 'in-process' | 'http';
export const modes: Mode[] = ['in-process', 'http'];

/** A running toy server and a way to call it. */
export interface Harness {
  server: FleetServer;
  probe: Probe;
  url: string;
  logged: unknown[][];
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a toy server in `mode` (listening on port 0 for `http`). */
export async function startToy(mode: Mode, options: Partial<FleetServerOptions> = {}): Promise<Harness> {
  const probe = createProbe();
  const logged: unknown[][] = [];
  const server = createFleetServer({
    service: 'toy',
    version: '1.2.3',
    routes: toyImplementations(probe),
    logger: {
      info: () => {},
      warn: (...args: unknown[]) => logged.push(['warn', ...args]),
      error: (...args: unknown[]) => logged.push(['error', ...args]),
    },
    ...options,
  });
  let url = 'http://toy.test';
  if (mode === 'http') url = (await server.listen({ port: 0 })).url;
  return {
    server,
    probe,
    url,
    logged,
    request: (path, init) =>
      mode === 'http' ? fetch(`${url}${path}`, init) : server.fetch(new Request(`${url}${path}`, init)),
    close: () => server.close(),
  };
}

/** A JSON POST. */
export function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** Reads an error answer, checking it is exactly the envelope. */
export async function envelopeOf(response: Response) {
  expectJson(response);
  const json = (await response.json()) as { error: { code: string; message: string; details?: unknown } };
  const keys = Object.keys(json);
  const errorKeys = Object.keys(json.error).sort();
  if (keys.length !== 1 || keys[0] !== 'error') throw new Error(`not an envelope: ${JSON.stringify(json)}`);
  if (!errorKeys.every((key) => ['code', 'details', 'message'].includes(key))) {
    throw new Error(`unexpected envelope keys: ${errorKeys.join(', ')}`);
  }
  return { status: response.status, ...json.error };
}

function expectJson(response: Response) {
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('application/json')) throw new Error(`expected JSON, got ${type}`);
}

/** Reads server-sent events until `count` `message` events arrived; returns their data. */
export async function readEvents(reader: ReadableStreamDefaultReader<Uint8Array>, count: number, seen: string[] = []) {
  const decoder = new TextDecoder();
  let buffer = '';
  const data: unknown[] = [];
  while (data.length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      seen.push(block);
      if (block.startsWith('event: message\n')) data.push(JSON.parse(block.slice(block.indexOf('data: ') + 6)));
      end = buffer.indexOf('\n\n');
    }
  }
  return data;
}
