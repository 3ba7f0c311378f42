import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { BusClient } from '../../src/bus/bus-client.ts';
import { FleetHttpError } from '../../src/client/errors.ts';

// Upstreams that echo the request's headers in their error answers (a proxy's error page, a
// misbehaving server): the client's own token must not reach the error a status page shows.
const TOKEN = 'tk_live_0123456789abcdef';
const API_KEY = 'key-9f8e7d6c5b4a';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const {
      authorization: auth,
      'x-api-key': key,
      'x-agent': agent,
      'x-request-key': requestKey,
      cookie,
    } = req.headers;
    // A cookie echoed one value at a time, as a server that parsed it would.
    const session = cookie?.split('; ').map((pair) => pair.split('=')[1]);
    const echoed = JSON.stringify({ auth, key, agent, requestKey, session });
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    if (req.url?.startsWith('/ok-token')) {
      // A success answer that is the token alone (a debug endpoint): the JSON parser quotes its start.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(token);
    } else if (req.url?.startsWith('/ok-text')) {
      // A success answer that is not JSON, quoting the request's headers.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`hello ${req.headers.authorization}`);
    } else if (req.url?.startsWith('/sse-bad/stream')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`event: message\ndata: ${token}\n\n`);
    } else if (req.url?.startsWith('/sse/stream')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const message = `refused ${req.headers.authorization}`;
      res.end(`event: error\ndata: ${JSON.stringify({ error: { code: 'unauthorized', message } })}\n\n`);
    } else if (req.url?.startsWith('/envelope')) {
      res.writeHead(401, { 'content-type': 'application/json' });
      const message = `bad token ${req.headers.authorization}`;
      res.end(JSON.stringify({ error: { code: 'unauthorized', message, details: { echoed: [echoed] } } }));
    } else if (req.url?.startsWith('/long')) {
      // The 200-character snippet ends inside the echoed token.
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${'x'.repeat(180)} ${req.headers.authorization}`);
    } else {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`upstream failed for ${echoed}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function errorOf(client: BusClient): Promise<FleetHttpError> {
  const error = await client.stats().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(FleetHttpError);
  return error as FleetHttpError;
}

test('a 500 text body that echoes the Authorization header shows the token and credential headers as ***', async () => {
  const headers = { 'x-api-key': API_KEY, 'x-agent': 'ezra-worker' };
  const client = new BusClient({ url: `${url}/text`, token: TOKEN, headers, retry: 0 });
  const error = await errorOf(client);
  expect(error).toMatchObject({ status: 500, fromEnvelope: false });
  expect(error.message).toBe(
    `GET ${url}/text/queue failed with HTTP 500 Internal Server Error: upstream failed for {"auth":"***","key":"***","agent":"ezra-worker"}`,
  );
});

test('an envelope that echoes the token has it as *** in its message and details', async () => {
  const error = await errorOf(new BusClient({ url: `${url}/envelope`, token: TOKEN, retry: 0 }));
  expect(error).toMatchObject({ status: 401, code: 'unauthorized', fromEnvelope: true, message: 'bad token ***' });
  expect(error.details).toEqual({ echoed: ['{"auth":"***"}'] });
  expect(JSON.stringify(error.details)).not.toContain(TOKEN);
});

test('a snippet cut inside the echoed token keeps no part of it', async () => {
  const error = await errorOf(new BusClient({ url: `${url}/long`, token: TOKEN, retry: 0 }));
  expect(error.message).toContain(`${'x'.repeat(180)} ***`);
  expect(error.message).not.toContain(TOKEN.slice(0, 6));
});

test('a token too short to replace alone is still hidden as the whole header value', async () => {
  const error = await errorOf(new BusClient({ url: `${url}/text`, token: 't', retry: 0 }));
  expect(error.message).toContain('upstream failed for {"auth":"***"}');
  expect(error.message).not.toContain('Bearer t');
});

test("a cookie's values are hidden one by one; short values of credential-named headers stay readable", async () => {
  const headers = { cookie: 'sid=s3cr3t-session-value; theme=dark', 'x-request-key': 'fleet' };
  const error = await errorOf(new BusClient({ url: `${url}/text`, headers, retry: 0 }));
  expect(error.message).toContain('upstream failed for {"requestKey":"fleet","session":["***","dark"]}');
  expect(error.message).toContain(`${url}/text/queue`);
});

test('a success answer that is not JSON quotes the body with the token as ***', async () => {
  const error = await new BusClient({ url: `${url}/ok-text`, token: TOKEN, retry: 0 })
    .stats()
    .catch((caught: unknown) => caught);
  expect((error as Error).message).toContain('not JSON (hello ***)');
  expect((error as Error).message).not.toContain(TOKEN.slice(0, 6));
});

test("a success answer that is the token alone keeps it out of the error's cause too", async () => {
  const error = await new BusClient({ url: `${url}/ok-token`, token: TOKEN, retry: 0 })
    .stats()
    .catch((caught: unknown) => caught);
  expect((error as Error).message).toContain('not JSON (***)');
  // The JSON parser's own message (the cause) quotes the start of the body it choked on.
  expect(inspect(error, { depth: 10 })).not.toContain(TOKEN.slice(0, 6));
});

test("an event stream's event data that is not JSON keeps the token out of the error and its cause", async () => {
  const stream = new BusClient({ url: `${url}/sse-bad`, token: TOKEN, retry: 0 }).stream('worker');
  const error = await stream.next().catch((caught: unknown) => caught);
  expect((error as Error).message).toContain('event data is not JSON (***)');
  expect(inspect(error, { depth: 10 })).not.toContain(TOKEN.slice(0, 6));
});

test("an event stream's error event that repeats the token has it as ***", async () => {
  const stream = new BusClient({ url: `${url}/sse`, token: TOKEN, retry: 0 }).stream('worker');
  const error = await stream.next().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(FleetHttpError);
  expect((error as FleetHttpError).message).toBe('refused ***');
});
