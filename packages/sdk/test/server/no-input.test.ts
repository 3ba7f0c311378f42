import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { defineRoute } from '../../src/contract/route.ts';
import { createFleetServer, type FleetServer, implement } from '../../src/server/index.ts';
import { envelopeOf, post } from './_toy.ts';

/** Routes without a query schema or a body schema, served straight from node:http and (with a path parameter) through h3. */
const routes = {
  status: defineRoute({
    method: 'GET',
    path: '/status',
    summary: 'No inputs',
    response: z.object({ ok: z.boolean() }),
  }),
  run: defineRoute({ method: 'POST', path: '/run', summary: 'No body', response: z.object({ ok: z.boolean() }) }),
  runOne: defineRoute({
    method: 'POST',
    path: '/run/:id',
    summary: 'No body, through h3',
    params: z.object({ id: z.string() }),
    response: z.object({ ok: z.boolean() }),
  }),
  hook: defineRoute({
    method: 'POST',
    path: '/hook',
    summary: 'Reads its own body',
    documentedBody: z.object({ ref: z.string() }),
    response: z.object({ bytes: z.number() }),
  }),
};

const ways = ['in-process', 'http'] as const;

describe.each(ways)('a route without a query or body schema (%s)', (way) => {
  let server: FleetServer;
  let request: (path: string, init?: RequestInit) => Promise<Response>;
  beforeAll(async () => {
    server = createFleetServer({
      service: 'no-input',
      version: '0.0.0',
      routes: [
        implement(routes.status, () => ({ ok: true })),
        implement(routes.run, () => ({ ok: true })),
        implement(routes.runOne, () => ({ ok: true })),
        implement(routes.hook, async (ctx) => ({ bytes: (await ctx.rawBody()).byteLength })),
      ],
    });
    if (way === 'http') {
      const { url } = await server.listen({ port: 0 });
      request = (path, init) => fetch(`${url}${path}`, init);
    } else request = (path, init) => server.fetch(new Request(`http://no-input.test${path}`, init));
  });
  afterAll(() => server.close());

  test('refuses a query parameter with 400 validation_failed naming it', async () => {
    for (const path of ['/status?x=1', '/status?bogus']) {
      const answer = await envelopeOf(await request(path));
      expect(answer, path).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(answer.details, path).toMatchObject({ issues: [{ field: path.slice(8).split('=')[0] }] });
    }
    const answer = await envelopeOf(await request('/run/a?limit=5', { method: 'POST' }));
    expect(answer).toMatchObject({ status: 400, code: 'validation_failed', details: { issues: [{ field: 'limit' }] } });
  });

  test('answers without a query, or with a bare ?', async () => {
    expect((await request('/status')).status).toBe(200);
    expect((await request('/status?')).status).toBe(200);
  });

  test('refuses a body that is not JSON with 400 invalid_json', async () => {
    for (const path of ['/run', '/run/a']) {
      expect(await envelopeOf(await request(path, post('{{{'))), path).toMatchObject({
        status: 400,
        code: 'invalid_json',
      });
    }
  });

  test('refuses a JSON body other than {} with 400 validation_failed', async () => {
    expect(await envelopeOf(await request('/run', post({ force: true })))).toMatchObject({
      status: 400,
      code: 'validation_failed',
      details: { issues: [{ field: 'force' }] },
    });
    expect(await envelopeOf(await request('/run/a', post('[1]')))).toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
  });

  test('accepts no body, an empty one, or {}', async () => {
    for (const path of ['/run', '/run/a']) {
      expect((await request(path, { method: 'POST' })).status, path).toBe(200);
      expect((await request(path, post(''))).status, path).toBe(200);
      expect((await request(path, post({}))).status, path).toBe(200);
      expect((await request(path, post(' {} \n'))).status, path).toBe(200);
    }
  });

  test('leaves the body of a route with a documentedBody to its handler', async () => {
    const response = await request('/hook', post('not json at all'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ bytes: 15 });
  });
});
