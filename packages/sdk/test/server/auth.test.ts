import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { envelopeOf, type Harness, modes, post, startToy } from './_toy.ts';

const TOKENS = ['s3cret-token', 'second-token'];

describe.each(modes)('bearer auth (%s)', (mode) => {
  let toy: Harness;
  beforeAll(async () => {
    toy = await startToy(mode, { tokens: TOKENS });
  });
  afterAll(() => toy.close());

  test('a route without a token is 401 unauthorized with a Bearer challenge', async () => {
    const response = await toy.request('/messages', post({ messages: [{ to: 'a' }] }));
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await envelopeOf(response)).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  test.each([
    ['a wrong token', 'Bearer nope'],
    ['a prefix of a token', 'Bearer s3cret'],
    ['another scheme', `Basic ${TOKENS[0]}`],
    ['an empty bearer', 'Bearer '],
  ])('%s is 401', async (_name, authorization) => {
    const response = await toy.request('/items/abc', { headers: { authorization } });
    expect(await envelopeOf(response)).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  test('any configured token is accepted, the scheme case-insensitively', async () => {
    for (const authorization of [`Bearer ${TOKENS[0]}`, `bearer ${TOKENS[1]}`]) {
      const response = await toy.request('/messages', post({ messages: [{ to: 'a' }] }, { authorization }));
      expect(response.status).toBe(201);
    }
  });

  test('auth is checked before the body is validated', async () => {
    const response = await toy.request('/messages', post('{not json'));
    expect(response.status).toBe(401);
  });

  test('/health, /openapi.json and auth: false routes need no token; /metrics does', async () => {
    expect((await toy.request('/health')).status).toBe(200);
    expect((await toy.request('/openapi.json')).status).toBe(200);
    expect((await toy.request('/fail/conflict', { method: 'POST' })).status).toBe(409);
    expect((await toy.request('/metrics')).status).toBe(401);
    const authorized = await toy.request('/metrics', { headers: { authorization: `Bearer ${TOKENS[1]}` } });
    expect(authorized.status).toBe(200);
  });
});

describe.each(modes)('without tokens (%s)', (mode) => {
  let toy: Harness;
  beforeAll(async () => {
    toy = await startToy(mode, { tokens: ['', '  '] });
  });
  afterAll(() => toy.close());

  test('every route is open (blank tokens are ignored)', async () => {
    expect((await toy.request('/messages', post({ messages: [{ to: 'a' }] }))).status).toBe(201);
    expect((await toy.request('/metrics')).status).toBe(200);
  });
});
