import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { routeUrl } from '../../src/client/route-url.ts';
import { defineRoute } from '../../src/contract/route.ts';
import { createFleetServer, createOpenApiDocument, type FleetServer, implement } from '../../src/server/index.ts';
import { envelopeOf, type Mode, modes } from './_toy.ts';

/** A contract with a catch-all parameter next to a static route and a one-segment parameter. */
const routes = {
  getDoc: defineRoute({
    method: 'GET',
    path: '/docs/**:path',
    summary: 'One document by path',
    params: z.strictObject({ path: z.string().min(1) }),
    response: z.object({ path: z.string() }),
  }),
  deleteDoc: defineRoute({
    method: 'DELETE',
    path: '/docs/**:path',
    summary: 'Delete a document',
    params: z.strictObject({ path: z.string().min(1) }),
    response: z.object({ deleted: z.string() }),
  }),
  listDocs: defineRoute({ method: 'GET', path: '/docs', summary: 'List', response: z.object({ list: z.boolean() }) }),
  getUser: defineRoute({
    method: 'GET',
    path: '/users/:id',
    summary: 'One user',
    params: z.strictObject({ id: z.string() }),
    response: z.object({ id: z.string() }),
  }),
} as const;

function docsServer(): FleetServer {
  return createFleetServer({
    service: 'docs',
    version: '1.0.0',
    routes: [
      implement(routes.getDoc, ({ params }) => ({ path: params.path })),
      implement(routes.deleteDoc, ({ params }) => ({ deleted: params.path })),
      implement(routes.listDocs, () => ({ list: true })),
      implement(routes.getUser, ({ params }) => ({ id: params.id })),
    ],
  });
}

describe('routeUrl with a catch-all parameter', () => {
  const base = 'http://127.0.0.1:1';

  test('keeps the slashes of the value and encodes each segment', () => {
    expect(routeUrl(base, routes.getDoc, { params: { path: 'hosts/ezra models/x?y#z' } })).toBe(
      `${base}/docs/hosts/ezra%20models/x%3Fy%23z`,
    );
  });

  test('sends a value with a dot or empty segment as one encoded segment, which URLs leave alone', () => {
    expect(routeUrl(base, routes.getDoc, { params: { path: 'a/../b' } })).toBe(`${base}/docs/a%2F..%2Fb`);
    expect(routeUrl(base, routes.getDoc, { params: { path: 'a//b' } })).toBe(`${base}/docs/a%2F%2Fb`);
  });

  test('refuses a value that is a dot segment, which no URL can carry', () => {
    expect(() => routeUrl(base, routes.getDoc, { params: { path: '..' } })).toThrow(/cannot be "\.\."/);
    expect(() => routeUrl(base, routes.getUser, { params: { id: '.' } })).toThrow(/cannot be "\."/);
  });

  test('a one-segment parameter still encodes its slashes', () => {
    expect(routeUrl(base, routes.getUser, { params: { id: 'a/b' } })).toBe(`${base}/users/a%2Fb`);
  });
});

describe('createOpenApiDocument with a catch-all parameter', () => {
  const doc = createOpenApiDocument({ title: 'docs', version: '1', routes: Object.values(routes) }) as {
    paths: Record<string, Record<string, { operationId: string; parameters?: Array<Record<string, unknown>> }>>;
  };

  test('writes it as a {name} path template with an operation id like any parameter', () => {
    expect(Object.keys(doc.paths).sort()).toEqual(['/docs', '/docs/{path}', '/users/{id}']);
    expect(doc.paths['/docs/{path}']?.get?.operationId).toBe('getDocsByPath');
    expect(doc.paths['/docs/{path}']?.delete?.operationId).toBe('deleteDocsByPath');
  });

  test('documents that the parameter may contain slashes', () => {
    const [parameter] = doc.paths['/docs/{path}']?.get?.parameters ?? [];
    expect(parameter).toMatchObject({ name: 'path', in: 'path', required: true, 'x-fleet-catch-all': true });
    expect(parameter?.description).toMatch(/`\/`/);
    expect(doc.paths['/users/{id}']?.get?.parameters?.[0]).not.toHaveProperty('x-fleet-catch-all');
  });
});

describe.each(modes)('a server with a catch-all route (%s)', (mode: Mode) => {
  let server: FleetServer;
  let request: (path: string, init?: RequestInit) => Promise<Response>;
  beforeAll(async () => {
    server = docsServer();
    if (mode === 'http') {
      const { url } = await server.listen({ port: 0 });
      request = (path, init) => fetch(`${url}${path}`, init);
    } else {
      request = (path, init) => server.fetch(new Request(`http://docs.test${path}`, init));
    }
  });
  afterAll(() => server.close());

  test.each([
    ['/docs/readme', 'readme'],
    ['/docs/hosts/ezra/models', 'hosts/ezra/models'],
    ['/docs/hosts%2Fezra%2Fmodels', 'hosts/ezra/models'],
    ['/docs/hosts%2Fezra/models', 'hosts/ezra/models'],
    ['/docs/a%2F..%2Fb', 'a/../b'],
    ['/docs/ezra%20models/100%25', 'ezra models/100%'],
  ])('GET %s passes the decoded rest of the path: %s', async (path, expected) => {
    const response = await request(path);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path: expected });
  });

  test.each([
    ['/docs/readme/', 'readme/'],
    ['/docs/hosts/ezra/', 'hosts/ezra/'],
    ['/docs/a%2F/', 'a//'],
  ])('GET %s keeps the trailing slash the router drops: %s', async (path, expected) => {
    expect(await (await request(path)).json()).toEqual({ path: expected });
  });

  test('a one-segment parameter still ignores a trailing slash', async () => {
    expect(await (await request('/users/ezra/')).json()).toEqual({ id: 'ezra' });
  });

  test('the static route next to it still answers', async () => {
    expect(await (await request('/docs')).json()).toEqual({ list: true });
  });

  test('another method on a multi-segment path answers 405 naming the allowed ones', async () => {
    const response = await request('/docs/a/b/c', { method: 'POST' });
    expect(await envelopeOf(response)).toMatchObject({ status: 405, code: 'method_not_allowed' });
    expect(response.headers.get('allow')).toBe('GET, HEAD, DELETE');
  });

  test('DELETE on a multi-segment path reaches the handler', async () => {
    expect(await (await request('/docs/x/y', { method: 'DELETE' })).json()).toEqual({ deleted: 'x/y' });
  });
});
