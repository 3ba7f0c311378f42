import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { busRoutes } from '../../src/bus/routes.ts';
import { defineRoute } from '../../src/contract/route.ts';
import { ErrorCode } from '../../src/schemas/error.ts';
import { createOpenApiDocument } from '../../src/server/index.ts';
import { type Harness, modes, startToy } from './_toy.ts';

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes: Record<string, unknown>;
    responses: Record<string, { 'x-fleet-errors'?: Array<{ code: string; status: number; description: string }> }>;
  };
};
type Operation = {
  parameters?: Array<{ name: string; in: string; required: boolean; example?: unknown; schema: Schema }>;
  requestBody?: { content: Record<string, { schema: Schema; example?: unknown }> };
  responses: Record<
    string,
    { $ref?: string; content?: Record<string, { schema: Schema; example?: unknown }>; 'x-fleet-error-codes'?: string[] }
  >;
  security?: unknown;
};
type Schema = { $ref?: string; properties?: Record<string, Schema>; type?: string; required?: string[] };

function operations(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** Follows a `#/...` pointer inside the document. */
function resolve(doc: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replaceAll('~1', '/')], doc);
}

function allRefs(node: unknown, refs: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) allRefs(item, refs);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') refs.push(value);
      else allRefs(value, refs);
    }
  }
  return refs;
}

describe.each(modes)('/openapi.json (%s)', (mode) => {
  let toy: Harness;
  let doc: Doc;
  beforeAll(async () => {
    toy = await startToy(mode, { tokens: ['t'] });
    doc = (await (await toy.request('/openapi.json')).json()) as Doc;
  });
  afterAll(() => toy.close());

  test('covers every implemented route and the common ones', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: 'toy', version: '1.2.3' });
    expect(operations(doc)).toMatchInlineSnapshot(`
      [
        "GET /crash",
        "GET /health",
        "GET /items",
        "GET /items/{id}",
        "GET /metrics",
        "GET /openapi.json",
        "GET /slow",
        "GET /stream",
        "GET /version",
        "POST /fail/{code}",
        "POST /messages",
      ]
    `);
  });

  test('is the same document server.openapi() returns', () => {
    expect(doc).toEqual(toy.server.openapi());
  });

  test('a request body references its schema as a component', () => {
    const body = doc.paths['/messages']?.post?.requestBody?.content['application/json']?.schema;
    const schema = resolve(doc, body?.$ref ?? '') as Schema;
    expect(schema.required).toEqual(['messages']);
    expect(schema.properties?.messages?.type).toBe('array');
  });

  test('path and query schemas become parameters', () => {
    expect(doc.paths['/items/{id}']?.get?.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 2 } },
    ]);
    const query = doc.paths['/items']?.get?.parameters ?? [];
    expect(query.map(({ name, in: where, required }) => ({ name, where, required }))).toEqual([
      { name: 'limit', where: 'query', required: false },
      { name: 'tag', where: 'query', required: false },
    ]);
  });

  test('success uses the contract status, errors reference ErrorEnvelope, auth routes declare bearer', () => {
    const send = doc.paths['/messages']?.post;
    expect(Object.keys(send?.responses ?? {})).toEqual(['201', '400', '401', '403', '413', '415', '4XX', '5XX']);
    expect(resolve(doc, send?.responses['4XX']?.$ref ?? '')).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
    });
    expect(doc.components.schemas.ErrorEnvelope?.properties?.error).toBeDefined();
    expect(send?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/health']?.get?.security).toBeUndefined();
  });

  test('each 4xx status a route may answer with lists its error codes', () => {
    const codes = (operation: Operation | undefined) =>
      Object.fromEntries(
        Object.entries(operation?.responses ?? {})
          .filter(([, response]) => response['x-fleet-error-codes'])
          .map(([status, response]) => [status, response['x-fleet-error-codes']]),
      );
    expect(codes(doc.paths['/messages']?.post)).toEqual({
      '400': ['invalid_json', 'validation_failed'],
      '401': ['unauthorized'],
      '403': ['cross_site_request', 'host_not_allowed'],
      '413': ['payload_too_large'],
      '415': ['unsupported_media_type'],
    });
    // Every route refuses a query parameter or a body it does not take (400), read within the limits.
    const input = {
      '400': ['invalid_json', 'validation_failed'],
      '413': ['payload_too_large'],
      '415': ['unsupported_media_type'],
    };
    expect(codes(doc.paths['/items/{id}']?.get)).toEqual({
      ...input,
      '401': ['unauthorized'],
      '403': ['host_not_allowed'],
    });
    expect(codes(doc.paths['/health']?.get)).toEqual(input);
  });

  test('text and event-stream routes declare their media types', () => {
    expect(Object.keys(doc.paths['/metrics']?.get?.responses['200']?.content ?? {})).toEqual(['text/plain']);
    expect(Object.keys(doc.paths['/stream']?.get?.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    // The final event of a stream that failed is documented too: what a client must expect.
    expect(JSON.stringify(doc.paths['/stream']?.get?.responses['200'])).toContain(
      'a failure ends the stream with `event: error`, whose `data` is the error envelope',
    );
  });

  test('every $ref resolves', () => {
    for (const ref of allRefs(doc)) expect(resolve(doc, ref), ref).toBeDefined();
  });
});

describe('createOpenApiDocument on pages and self-read bodies', () => {
  const page = defineRoute({
    method: 'GET',
    path: '/page/:id',
    summary: 'HTML: a page',
    params: z.strictObject({ id: z.string() }),
    response: z.string(),
    kind: 'text',
    contentType: 'text/html',
    auth: false,
    errors: ['unauthorized', 'not_found', 'conflict'],
    htmlErrors: ['unauthorized', 'not_found'],
    redirect: { status: 303, description: 'Opened with ?token=: to itself without it', headers: ['set-cookie'] },
  });
  const signed = defineRoute({
    method: 'POST',
    path: '/signed',
    summary: 'A body the handler reads itself',
    documentedBody: z.object({ ref: z.string() }),
    response: z.object({ ok: z.boolean() }),
    auth: false,
  });
  const conditional = defineRoute({
    method: 'GET',
    path: '/conditional',
    summary: 'A status with an ETag',
    response: z.object({ ok: z.boolean() }),
    notModified: { description: 'Unchanged since the ETag in If-None-Match' },
  });
  const doc = createOpenApiDocument({ title: 't', version: '0', routes: [page, signed, conditional] }) as Doc;
  const responses = doc.paths['/page/{id}']?.get?.responses ?? {};

  test("a text route's answer has its own media type", () => {
    expect(Object.keys(responses['200']?.content ?? {})).toEqual(['text/html']);
  });

  test('a redirect is a response of its own, with Location and the headers it names', () => {
    expect(responses['303']).toEqual({
      description: 'Opened with ?token=: to itself without it',
      headers: { location: { schema: { type: 'string' } }, 'set-cookie': { schema: { type: 'string' } } },
    });
  });

  test('a route that answers conditional requests documents If-None-Match, its ETag and the 304 without a body', () => {
    const operation = doc.paths['/conditional']?.get;
    expect(operation?.parameters).toEqual([
      {
        name: 'If-None-Match',
        in: 'header',
        required: false,
        description: expect.any(String),
        schema: { type: 'string' },
      },
    ]);
    const etag = { description: expect.stringMatching(/If-None-Match/), schema: { type: 'string' } };
    expect(operation?.responses['200']).toMatchObject({ headers: { etag } });
    expect(operation?.responses['304']).toEqual({
      description: 'Unchanged since the ETag in If-None-Match',
      headers: { etag },
    });
    // Nothing of it on a route without `notModified`.
    expect(responses['200']).not.toHaveProperty('headers');
    expect(Object.keys(responses)).not.toContain('304');
  });

  test('codes answered with an HTML page are documented as text/html, the others as the envelope', () => {
    expect(Object.keys(responses['401']?.content ?? {})).toEqual(['text/html']);
    expect(responses['401']).toMatchObject({ 'x-fleet-html-error-codes': ['unauthorized'] });
    expect(Object.keys(responses['404']?.content ?? {})).toEqual(['text/html']);
    expect(Object.keys(responses['409']?.content ?? {})).toEqual(['application/json']);
    expect(responses['409']).not.toHaveProperty('x-fleet-html-error-codes');
    // Validation is the plumbing's, answered with the envelope.
    expect(Object.keys(responses['400']?.content ?? {})).toEqual(['application/json']);
  });

  test('a documented body is the request body, with the codes of a bad one', () => {
    const operation = doc.paths['/signed']?.post;
    expect(operation?.requestBody?.content['application/json']?.schema.$ref).toBe(
      '#/components/schemas/PostSignedBody',
    );
    expect(
      Object.fromEntries(Object.entries(operation?.responses ?? {}).map(([s, r]) => [s, r['x-fleet-error-codes']])),
    ).toMatchObject({
      '400': ['invalid_json', 'validation_failed'],
      '413': ['payload_too_large'],
      '415': ['unsupported_media_type'],
    });
  });
});

describe("createOpenApiDocument: a route's own error meanings and a server that allows every host", () => {
  const webhook = defineRoute({
    method: 'POST',
    path: '/hook',
    summary: 'A signed delivery',
    documentedBody: z.object({ ref: z.string() }),
    response: z.object({ ok: z.boolean() }),
    auth: false,
    errors: ['unauthorized'],
    errorDescriptions: { unauthorized: 'The signature is missing or wrong.' },
  });
  const codesOf = (doc: Doc) =>
    Object.fromEntries(
      Object.entries(doc.paths['/hook']?.post?.responses ?? {}).map(([s, r]) => [s, r['x-fleet-error-codes']]),
    );

  test('errorDescriptions says what a code means on this route, next to its code', () => {
    const doc = createOpenApiDocument({ title: 't', version: '0', routes: [webhook] }) as Doc;
    const unauthorized = doc.paths['/hook']?.post?.responses['401'] as Record<string, unknown>;
    expect(unauthorized['x-fleet-error-descriptions']).toEqual({ unauthorized: 'The signature is missing or wrong.' });
    expect(unauthorized.description).toBe('`unauthorized`: The signature is missing or wrong.');
    // Other statuses keep the shared meanings only.
    expect(doc.paths['/hook']?.post?.responses['400']).not.toHaveProperty('x-fleet-error-descriptions');
  });

  test('host_not_allowed is listed unless the server allows every host name', () => {
    const guarded = createOpenApiDocument({ title: 't', version: '0', routes: [webhook] }) as Doc;
    expect(codesOf(guarded)['403']).toEqual(['cross_site_request', 'host_not_allowed']);
    const open = createOpenApiDocument({ title: 't', version: '0', routes: [webhook], hostGuard: false }) as Doc;
    expect(codesOf(open)['403']).toEqual(['cross_site_request']);
  });
});

describe('createOpenApiDocument on the bus contract', () => {
  const doc = createOpenApiDocument({ title: 'fleet-bus', version: '0.0.0', routes: Object.values(busRoutes) }) as Doc;

  test('documents every bus route', () => {
    expect(operations(doc)).toHaveLength(Object.keys(busRoutes).length);
  });

  test("a contract's own error codes join the plumbing's, by status", () => {
    const ack = doc.paths['/ack']?.post?.responses ?? {};
    expect(ack['404']?.['x-fleet-error-codes']).toEqual(['receipt_unknown']);
    expect(ack['410']?.['x-fleet-error-codes']).toEqual(['receipt_expired']);
    expect(doc.paths['/deadletter/{id}']?.get?.responses['404']?.['x-fleet-error-codes']).toEqual(['not_found']);
  });

  test('every error code is listed once with its status and meaning', () => {
    const listed = doc.components.responses.Error?.['x-fleet-errors'] ?? [];
    expect(listed.map((entry) => entry.code)).toEqual(ErrorCode.options);
    expect(listed.find((entry) => entry.code === 'receipt_expired')).toMatchObject({ status: 410 });
    for (const entry of listed) expect(entry.description, entry.code).not.toBe('');
  });

  test("a contract's example becomes the body's and the parameters' example", () => {
    expect(doc.paths['/receive']?.post?.requestBody?.content['application/json']?.example).toEqual(
      busRoutes.receive.example.body,
    );
    expect(doc.paths['/deadletter/{id}']?.get?.parameters?.[0]?.example).toBe(busRoutes.deadLetter.example.params.id);
    const poll = doc.paths['/messages']?.get?.parameters ?? [];
    expect(poll.map(({ name, example }) => ({ name, example }))).toEqual([
      { name: 'to', example: 'coder' },
      { name: 'limit', example: 10 },
      // Not in the example: a client sends it only when it reads less than the server's cap.
      { name: 'maxBytes', example: undefined },
    ]);
  });

  test('every $ref resolves, including the recursive JSON payload schema', () => {
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(resolve(doc, ref), ref).toBeDefined();
    expect(JSON.stringify(doc)).not.toContain('$defs');
  });
});
