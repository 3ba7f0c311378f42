import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { envelopeOf, type Harness, modes, post, SECRET, startToy } from './_toy.ts';

describe.each(modes)('errors and validation (%s)', (mode) => {
  let toy: Harness;
  beforeAll(async () => {
    toy = await startToy(mode);
  });
  afterAll(() => toy.close());

  test('a valid request gets the contract status and JSON', async () => {
    const response = await toy.request('/messages', post({ messages: [{ to: 'a' }] }));
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ sent: 1 });
  });

  test('a bad body field is validation_failed naming the nested field', async () => {
    const messages = [{ to: 'a' }, { to: 'b' }, { to: 'c' }, { text: 'no recipient' }];
    const error = await envelopeOf(await toy.request('/messages', post({ messages })));
    expect(error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(error.message).toMatch(/^messages\.3\.to: /);
    expect(error.details).toEqual({
      issues: [{ field: 'messages.3.to', message: expect.any(String), code: 'invalid_type' }],
    });
  });

  test('an unknown body key is named in the field', async () => {
    const error = await envelopeOf(await toy.request('/messages', post({ messages: [{ to: 'a', ttl: 5 }] })));
    expect(error.details).toEqual({
      issues: [{ field: 'messages.0.ttl', message: expect.any(String), code: 'unrecognized_keys' }],
    });
  });

  test('several failures are all listed and counted in the message', async () => {
    const error = await envelopeOf(await toy.request('/messages', post({ messages: [{}, {}] })));
    expect((error.details as { issues: { field: string }[] }).issues.map((issue) => issue.field)).toEqual([
      'messages.0.to',
      'messages.1.to',
    ]);
    expect(error.message).toContain('(and 1 more issue)');
  });

  test('a bad path parameter is validation_failed on the parameter', async () => {
    const error = await envelopeOf(await toy.request('/items/x'));
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', details: { issues: [{ field: 'id' }] } });
    expect(error.message).toMatch(/^id: /);
  });

  test('path parameters arrive percent-decoded', async () => {
    const response = await toy.request('/items/a%20b');
    expect(await response.json()).toEqual({ id: 'a b' });
  });

  test('query values are strings coerced by the schema, a repeated key becomes an array', async () => {
    expect(await (await toy.request('/items?limit=3&tag=x')).json()).toEqual({ limit: 3, tags: ['x'] });
    expect(await (await toy.request('/items?tag=x&tag=y')).json()).toEqual({ limit: 5, tags: ['x', 'y'] });
  });

  test('a bad query value or unknown query key is validation_failed naming it', async () => {
    const tooMany = await envelopeOf(await toy.request('/items?limit=99'));
    expect(tooMany).toMatchObject({
      status: 400,
      code: 'validation_failed',
      details: { issues: [{ field: 'limit' }] },
    });
    const unknown = await envelopeOf(await toy.request('/items?limt=3'));
    expect(unknown).toMatchObject({ status: 400, details: { issues: [{ field: 'limt', code: 'unrecognized_keys' }] } });
  });

  test('malformed JSON is invalid_json', async () => {
    const error = await envelopeOf(await toy.request('/messages', post('{"messages": [')));
    expect(error).toMatchObject({ status: 400, code: 'invalid_json' });
  });

  test('a body with a non-JSON content-type is unsupported_media_type', async () => {
    const init = post({ messages: [{ to: 'a' }] }, { 'content-type': 'text/plain' });
    expect(await envelopeOf(await toy.request('/messages', init))).toMatchObject({
      status: 415,
      code: 'unsupported_media_type',
    });
  });

  test('a body without content-type is read as JSON (older clients)', async () => {
    // A byte body gets no default content-type, unlike a string body.
    const body = new TextEncoder().encode(JSON.stringify({ messages: [{ to: 'a' }, { to: 'b' }] }));
    const response = await toy.request('/messages', { method: 'POST', body });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ sent: 2 });
  });

  test('an empty body reads as {} and fails on the missing field', async () => {
    const error = await envelopeOf(await toy.request('/messages', { method: 'POST' }));
    expect(error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      details: { issues: [{ field: 'messages' }] },
    });
  });

  test('an unknown path is route_not_found, a known path with another method is method_not_allowed', async () => {
    expect(await envelopeOf(await toy.request('/nope'))).toMatchObject({ status: 404, code: 'route_not_found' });
    expect(await envelopeOf(await toy.request('/'))).toMatchObject({ status: 404, code: 'route_not_found' });
    const response = await toy.request('/items', { method: 'DELETE' });
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await envelopeOf(response)).toMatchObject({
      status: 405,
      code: 'method_not_allowed',
      details: { allowed: ['GET', 'HEAD'] },
    });
    const onPost = await toy.request('/messages');
    expect(onPost.headers.get('allow')).toBe('POST');
    expect(await envelopeOf(onPost)).toMatchObject({ status: 405, code: 'method_not_allowed' });
    expect(await envelopeOf(await toy.request('/items/abc', { method: 'PUT' }))).toMatchObject({ status: 405 });
  });

  test('a malformed URL escape is a 400 envelope too', async () => {
    expect(await envelopeOf(await toy.request('/items/%zz'))).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: expect.stringContaining('URL'),
    });
  });

  test.each([
    ['not_found', 404],
    ['receipt_unknown', 404],
    ['receipt_expired', 410],
    ['conflict', 409],
    ['validation_failed', 400],
    ['unauthorized', 401],
    ['payload_too_large', 413],
    ['unavailable', 503],
  ])('a FleetError %s from a handler answers %i and keeps its details', async (code, status) => {
    const error = await envelopeOf(await toy.request(`/fail/${code}`, { method: 'POST' }));
    expect(error).toEqual({ status, code, message: `failing with ${code}`, details: { field: 'receipts.0' } });
  });

  test('any other error is a generic 500 internal, logged and never leaked', async () => {
    const response = await toy.request('/crash');
    const text = await response.clone().text();
    expect(await envelopeOf(response)).toEqual({ status: 500, code: 'internal', message: 'Internal server error' });
    expect(text).not.toContain('hunter2');
    const logged = toy.logged.filter((entry) => entry[0] === 'error').map(([, where, error]) => [where, error]);
    expect(logged).toContainEqual(['toy GET /crash failed:', new Error(SECRET)]);
  });

  test('a text route answers text/plain', async () => {
    const response = await toy.request('/version');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('toy 1.2.3');
  });

  test('HEAD on a GET route answers without a body', async () => {
    const response = await toy.request('/items/abc', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});
