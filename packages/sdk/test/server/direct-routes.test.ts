import { connect } from 'node:net';
import { HTTPResponse } from 'h3';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { z } from 'zod';
import { defineRoute } from '../../src/contract/route.ts';
import { createFleetServer, EncodedJson, type FleetServer, HttpError, implement } from '../../src/server/index.ts';
import { createProbe, toyImplementations } from './_toy.ts';

// JSON routes on paths without parameters are served straight from node:http, skipping h3. Every
// request here is sent twice over a real socket: to the path as written (the direct way) and to
// the same path with its first letter percent-encoded, which h3 normalizes back (`/%6Dessages` is
// `/messages`) but the direct lookup does not know, so h3 serves it. The two answers must be the
// same bytes, and a count of the requests h3 saw proves which way each one went.

const TOKEN = 'direct-routes-token';
const LIMIT = 256;

const extraRoutes = {
  encoded: defineRoute({
    method: 'POST',
    path: '/encoded',
    summary: 'Answers JSON text the handler encoded',
    body: z.object({ n: z.number() }),
    response: z.object({ n: z.number() }),
    status: 202,
  }),
  response: defineRoute({
    method: 'GET',
    path: '/response',
    summary: 'Answers an h3 response with its own header',
    response: z.object({ ok: z.boolean() }),
  }),
  event: defineRoute({
    method: 'GET',
    path: '/event',
    summary: 'Reads a header and sets one through the h3 event',
    response: z.object({ probe: z.string().nullable() }),
  }),
  nothing: defineRoute({ method: 'POST', path: '/nothing', summary: 'Answers null', response: z.null() }),
  unencodable: defineRoute({
    method: 'GET',
    path: '/unencodable',
    summary: 'Answers a value JSON cannot encode, with or without the h3 event',
    query: z.object({ event: z.string().optional() }),
    response: z.object({}),
  }),
  busy: defineRoute({
    method: 'POST',
    path: '/busy',
    summary: 'Fails with headers of its own',
    response: z.object({}),
  }),
  bodiless: defineRoute({
    method: 'POST',
    path: '/bodiless',
    summary: 'Answers 204 No Content',
    response: z.null(),
    status: 204,
  }),
  badErrorHeader: defineRoute({
    method: 'POST',
    path: '/bad-error-header',
    summary: 'Fails with a header value node:http refuses',
    response: z.object({}),
  }),
  badEventHeader: defineRoute({
    method: 'GET',
    path: '/bad-event-header',
    summary: 'Sets a header value node:http refuses through the h3 event',
    response: z.object({}),
  }),
  method: defineRoute({
    method: 'GET',
    path: '/method',
    summary: 'Answers the method the handler was called for',
    response: z.object({ method: z.string() }),
  }),
  context: defineRoute({
    method: 'GET',
    path: '/context',
    summary: "Answers what the h3 event's context holds",
    response: z.object({ keys: z.array(z.string()), route: z.string().nullable() }),
  }),
};

/** The methods `/method` was called for, in order. */
const methodsSeen: string[] = [];

function startServer(tokens: string[]): FleetServer {
  return createFleetServer({
    service: 'direct',
    version: '1.0.0',
    tokens,
    bodyLimitBytes: LIMIT,
    logger: { info() {}, warn() {}, error() {} },
    routes: [
      ...toyImplementations(createProbe()),
      implement(extraRoutes.encoded, ({ body }) => new EncodedJson(`{"n":${body.n}}`)),
      implement(
        extraRoutes.response,
        () =>
          new HTTPResponse('{"ok":true}', {
            headers: { 'content-type': 'application/json', 'x-made-by': 'handler' },
          }) as unknown as { ok: boolean },
      ),
      implement(extraRoutes.event, ({ event }) => {
        event.res.headers.set('x-seen', 'yes');
        return { probe: event.req.headers.get('x-probe') };
      }),
      implement(extraRoutes.nothing, () => null),
      implement(extraRoutes.unencodable, (ctx) => {
        // Destructuring `event` would build it: read it only when asked to.
        if (ctx.query.event !== undefined) void ctx.event;
        return { n: 10n } as unknown as Record<string, never>;
      }),
      implement(extraRoutes.busy, () => {
        throw new HttpError('unavailable', 'busy', {
          headers: { 'Retry-After': '5', 'cache-control': 'no-store', 'content-type': 'application/problem+json' },
        });
      }),
      implement(extraRoutes.bodiless, () => null),
      implement(extraRoutes.badErrorHeader, () => {
        throw new HttpError('unavailable', 'busy', { headers: { 'x-bad': 'a\u0001b' } });
      }),
      implement(extraRoutes.badEventHeader, ({ event }) => {
        event.res.headers.set('x-bad', 'a\u0001b');
        return {};
      }),
      implement(extraRoutes.method, ({ method }) => {
        methodsSeen.push(method);
        return { method };
      }),
      implement(extraRoutes.context, ({ event }) => ({
        keys: Object.keys(event.context).sort(),
        route: (event.context.matchedRoute as { route?: string } | undefined)?.route ?? null,
      })),
    ],
  });
}

/** Counts the requests h3 handles: node:http hands them to `app.fetch`. */
function countH3(server: FleetServer): { count: number } {
  const counter = { count: 0 };
  const original = server.app.fetch.bind(server.app);
  server.app.fetch = (request) => {
    counter.count++;
    return original(request);
  };
  return counter;
}

/** Sends raw HTTP/1.1 on a new connection and returns everything the server wrote, without its `Date`. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(raw));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      out += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(out.replace(/\r\nDate: [^\r]*/g, '')));
  });
}

interface RawRequest {
  method: string;
  path: string;
  headers?: string[];
  body?: string;
}

function rawRequest({ method, path, headers = [], body }: RawRequest, auth: boolean): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers];
  if (auth) lines.push(`Authorization: Bearer ${TOKEN}`);
  if (body !== undefined && !headers.some((h) => h.toLowerCase().startsWith('transfer-encoding'))) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}

/** The same path with its first letter percent-encoded: h3 routes it like the original; the direct lookup does not. */
function viaH3(path: string): string {
  return `/%${path.charCodeAt(1).toString(16).toUpperCase()}${path.slice(2)}`;
}

const json = 'Content-Type: application/json';
const cases: Array<RawRequest & { name: string; auth?: boolean; status: number }> = [
  {
    name: 'a valid send',
    method: 'POST',
    path: '/messages',
    headers: [json],
    body: '{"messages":[{"to":"a"}]}',
    status: 201,
  },
  { name: 'malformed JSON', method: 'POST', path: '/messages', headers: [json], body: '{"messages":', status: 400 },
  {
    name: 'a body that fails its schema',
    method: 'POST',
    path: '/messages',
    headers: [json],
    body: '{"messages":[]}',
    status: 400,
  },
  { name: 'an empty body', method: 'POST', path: '/messages', headers: [json], body: '', status: 400 },
  {
    name: 'a body that is not JSON',
    method: 'POST',
    path: '/messages',
    headers: ['Content-Type: text/plain'],
    body: 'hi',
    status: 415,
  },
  { name: 'no bearer token', method: 'POST', path: '/messages', headers: [json], body: '{}', auth: false, status: 401 },
  {
    name: 'a wrong token',
    method: 'POST',
    path: '/messages',
    headers: [json, 'Authorization: Bearer nope'],
    body: '{}',
    auth: false,
    status: 401,
  },
  {
    name: 'two tokens',
    method: 'POST',
    path: '/messages',
    headers: [json, 'Authorization: Bearer nope'],
    body: '{"messages":[{"to":"a"}]}',
    status: 401,
  },
  {
    name: 'a cross-site browser request',
    method: 'POST',
    path: '/messages',
    headers: [json, 'Sec-Fetch-Site: cross-site'],
    body: '{}',
    status: 403,
  },
  {
    name: 'a declared body over the limit',
    method: 'POST',
    path: '/messages',
    headers: [json],
    body: 'x'.repeat(LIMIT + 1),
    status: 413,
  },
  {
    name: 'a chunked body over the limit',
    method: 'POST',
    path: '/messages',
    headers: [json, 'Transfer-Encoding: chunked'],
    body: `${(LIMIT + 10).toString(16)}\r\n${'x'.repeat(LIMIT + 10)}\r\n0\r\n\r\n`,
    status: 413,
  },
  { name: 'a query', method: 'GET', path: '/items?limit=3&tag=a&tag=b%20c', status: 200 },
  {
    name: 'quotes and escapes in a query',
    method: 'GET',
    path: '/items?tag=%22x%22&tag="y"&tag=%zz&tag=<\'>',
    status: 200,
  },
  { name: 'a bare question mark', method: 'GET', path: '/items?', status: 200 },
  { name: 'a query that fails its schema', method: 'GET', path: '/items?limit=abc', status: 400 },
  { name: 'a handler that crashes', method: 'GET', path: '/crash', status: 500 },
  { name: 'EncodedJson', method: 'POST', path: '/encoded', headers: [json], body: '{"n":7}', status: 202 },
  { name: 'an h3 response from the handler', method: 'GET', path: '/response', status: 200 },
  { name: 'a handler using the h3 event', method: 'GET', path: '/event', headers: ['X-Probe: here'], status: 200 },
  { name: 'null', method: 'POST', path: '/nothing', status: 200 },
  { name: 'a result JSON cannot encode', method: 'GET', path: '/unencodable', status: 500 },
  { name: 'a result JSON cannot encode, the h3 event built', method: 'GET', path: '/unencodable?event=1', status: 500 },
  { name: 'an error with headers of its own', method: 'POST', path: '/busy', status: 503 },
  { name: "the h3 event's context", method: 'GET', path: '/context', status: 200 },
  { name: "the handler's method", method: 'GET', path: '/method', status: 200 },
  { name: 'an error header node:http refuses', method: 'POST', path: '/bad-error-header', status: 500 },
  { name: 'an event header node:http refuses', method: 'GET', path: '/bad-event-header', status: 500 },
];

describe('routes served straight from node:http', () => {
  let server: FleetServer;
  let port: number;
  let h3: { count: number };

  beforeAll(async () => {
    // srvx reports a head node:http refused (the bad-header cases, through h3) on console.error.
    const consoleError = console.error;
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      if (!String(args[0]).startsWith('[srvx] Failed to send response')) consoleError(...args);
    });
    server = startServer([TOKEN]);
    h3 = countH3(server);
    ({ port } = await server.listen({ port: 0 }));
  });
  afterAll(() => {
    vi.restoreAllMocks();
    return server.close();
  });

  test.each(cases)(
    '$name: the same bytes as through h3, without h3',
    async ({ name, auth = true, status, ...request }) => {
      const before = h3.count;
      const direct = await exchange(port, rawRequest(request, auth));
      expect(h3.count, `${name} went through h3`).toBe(before);
      const routed = await exchange(port, rawRequest({ ...request, path: viaH3(request.path) }, auth));
      expect(h3.count).toBe(before + 1);
      expect(direct).toBe(routed);
      expect(direct.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
    },
  );

  test('a result JSON cannot encode still gets the error envelope', async () => {
    const answer = await exchange(port, rawRequest({ method: 'GET', path: '/unencodable' }, true));
    expect(answer.endsWith('{"error":{"code":"internal","message":"Internal server error"}}')).toBe(true);
  });

  test('a handler that reads and writes the h3 event gets one', async () => {
    const answer = await exchange(
      port,
      rawRequest({ method: 'GET', path: '/event', headers: ['X-Probe: here'] }, true),
    );
    expect(answer).toMatch(/\r\nx-seen: yes\r\n/);
    expect(answer.endsWith('{"probe":"here"}')).toBe(true);
  });

  test("a handler reads the request's method, HEAD when h3 answers a HEAD with the GET route", async () => {
    methodsSeen.length = 0;
    const get = await exchange(port, rawRequest({ method: 'GET', path: '/method' }, true));
    expect(get.endsWith('{"method":"GET"}')).toBe(true);
    const head = await exchange(port, rawRequest({ method: 'HEAD', path: '/method' }, true));
    expect(head.startsWith('HTTP/1.1 200 ')).toBe(true);
    expect(methodsSeen).toEqual(['GET', 'HEAD']);
  });

  test('HEAD, parameters, text, event streams and unknown paths still go through h3', async () => {
    const requests: RawRequest[] = [
      { method: 'HEAD', path: '/items' },
      { method: 'GET', path: '/items/abc' },
      { method: 'GET', path: '/version' },
      { method: 'GET', path: '/stream?count=0' },
      { method: 'GET', path: '/nowhere' },
      { method: 'PUT', path: '/messages' },
      { method: 'GET', path: '/items?tag=a#b' },
      { method: 'POST', path: '/bodiless' },
    ];
    for (const request of requests) {
      const before = h3.count;
      if (request.path.startsWith('/stream')) {
        // An event stream stays open: h3 took it once its first bytes arrive.
        await new Promise<void>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => socket.write(rawRequest(request, true)));
          socket.once('data', () => {
            socket.destroy();
            resolve();
          });
          socket.on('error', reject);
        });
      } else {
        await exchange(port, rawRequest(request, true));
      }
      expect(h3.count, `${request.method} ${request.path}`).toBe(before + 1);
    }
  });
});

describe('a tokenless server, served straight from node:http', () => {
  let server: FleetServer;
  let port: number;
  beforeAll(async () => {
    server = startServer([]);
    ({ port } = await server.listen({ port: 0 }));
  });
  afterAll(() => server.close());

  test('refuses a Host it does not answer as h3 does', async () => {
    const request = { method: 'POST', path: '/messages', headers: [json], body: '{"messages":[{"to":"a"}]}' };
    const evil = (path: string) =>
      rawRequest({ ...request, path }, false).replace('Host: 127.0.0.1', 'Host: rebound.example');
    const direct = await exchange(port, evil(request.path));
    expect(direct.startsWith('HTTP/1.1 403 ')).toBe(true);
    expect(direct).toBe(await exchange(port, evil(viaH3(request.path))));
  });
});

describe('a server whose h3 app has middleware', () => {
  let server: FleetServer;
  let port: number;
  let h3: { count: number };
  beforeAll(async () => {
    server = startServer([]);
    h3 = countH3(server);
    server.app.use((event) => {
      event.res.headers.set('x-middleware', 'ran');
    });
    ({ port } = await server.listen({ port: 0 }));
  });
  afterAll(() => server.close());

  test('sends every request through h3, so the middleware runs', async () => {
    const answer = await exchange(port, rawRequest({ method: 'POST', path: '/nothing' }, false));
    expect(h3.count).toBe(1);
    expect(answer).toMatch(/\r\nx-middleware: ran\r\n/);
  });
});
