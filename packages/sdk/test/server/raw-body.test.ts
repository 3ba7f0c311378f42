import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { defineRoute } from '../../src/contract/route.ts';
import { createFleetServer, type FleetServer, implement } from '../../src/server/index.ts';

const LIMIT = 64;

const routes = {
  raw: defineRoute({
    method: 'POST',
    path: '/raw',
    summary: 'Echoes the body bytes in hex',
    // What a route reading its own body declares: the plumbing then leaves the body to it.
    documentedBody: z.unknown(),
    response: z.object({ hex: z.string(), again: z.boolean() }),
  }),
  parsed: defineRoute({
    method: 'POST',
    path: '/parsed',
    summary: 'A route with a body schema',
    body: z.object({ a: z.number() }),
    response: z.object({ bytes: z.number() }),
  }),
};

describe('ctx.rawBody()', () => {
  let server: FleetServer;
  let url: string;
  beforeAll(async () => {
    server = createFleetServer({
      service: 'raw-test',
      version: '0.0.0',
      bodyLimitBytes: LIMIT,
      routes: [
        implement(routes.raw, async (ctx) => {
          const bytes = await ctx.rawBody();
          return { hex: Buffer.from(bytes).toString('hex'), again: (await ctx.rawBody()) === bytes };
        }),
        implement(routes.parsed, async (ctx) => ({ bytes: (await ctx.rawBody()).byteLength })),
      ],
    });
    ({ url } = await server.listen({ port: 0 }));
  });
  afterAll(() => server.close());

  test('gives the exact bytes sent, whatever the content type, and the same bytes on a second call', async () => {
    const body = new Uint8Array([0xff, 0x00, 0x7b, 0x0a, 0xc3]);
    const response = await fetch(`${url}/raw`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hex: 'ff007b0ac3', again: true });
  });

  test('refuses a body over the server limit with 413 payload_too_large', async () => {
    const response = await fetch(`${url}/raw`, { method: 'POST', body: 'x'.repeat(LIMIT + 1) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  test('refuses a compressed body with 415 unsupported_media_type: the bytes would not be the ones signed', async () => {
    const response = await fetch(`${url}/raw`, { method: 'POST', body: 'x', headers: { 'content-encoding': 'gzip' } });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  test('is empty on a route with a body schema, whose body the plumbing parsed', async () => {
    const response = await fetch(`${url}/parsed`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(await response.json()).toEqual({ bytes: 0 });
  });
});
