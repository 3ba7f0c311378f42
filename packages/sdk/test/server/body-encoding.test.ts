import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { envelopeOf, type Harness, modes, startToy } from './_toy.ts';

const BODY = '{"messages":[{"to":"a","text":"café"}]}';

/** A POST of `body` to the toy's `/messages` (a JSON route with a body schema). */
function send(body: BodyInit, headers: Record<string, string>): RequestInit {
  return { method: 'POST', headers, body };
}

/** In-process, over a socket straight from node:http, and over a socket through h3 (a middleware sends every request there). */
const ways = [...modes.map((mode) => [mode, false] as const), ['http', true] as const];

describe.each(ways)('request body encoding (%s, all through h3: %s)', (mode, throughH3) => {
  let toy: Harness;
  beforeAll(async () => {
    toy = await startToy(mode);
    if (throughH3) toy.server.app.use((_event, next) => next());
  });
  afterAll(() => toy.close());

  test('a body that is not valid UTF-8 (Latin-1 "café") is refused with 400 invalid_json', async () => {
    const latin1 = Buffer.from(BODY, 'latin1');
    const answer = await envelopeOf(
      await toy.request('/messages', send(latin1, { 'content-type': 'application/json' })),
    );
    expect(answer).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(answer.message).toContain('UTF-8');
  });

  test('a charset other than UTF-8 is refused with 415 unsupported_media_type', async () => {
    for (const contentType of ['application/json; charset=iso-8859-1', 'application/json;charset="latin1"']) {
      const answer = await envelopeOf(await toy.request('/messages', send(BODY, { 'content-type': contentType })));
      expect(answer, contentType).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    }
  });

  test('charset UTF-8 in any case, quoted or not, is accepted', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
      const response = await toy.request('/messages', send(BODY, { 'content-type': contentType }));
      expect(response.status, contentType).toBe(201);
    }
  });

  test('a gzip-encoded body is refused with 415 naming Content-Encoding, not read as JSON', async () => {
    const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    const answer = await envelopeOf(await toy.request('/messages', send(gzipSync(BODY), headers)));
    expect(answer).toMatchObject({
      status: 415,
      code: 'unsupported_media_type',
      details: { header: 'content-encoding', value: 'gzip' },
    });
    expect(answer.message).toContain('Content-Encoding');
  });

  test('a plain body labelled Content-Encoding: br is refused with 415', async () => {
    const headers = { 'content-type': 'application/json', 'content-encoding': 'br' };
    const answer = await envelopeOf(await toy.request('/messages', send(BODY, headers)));
    expect(answer).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });

  test('Content-Encoding: identity is a plain body', async () => {
    const headers = { 'content-type': 'application/json', 'content-encoding': 'identity' };
    expect((await toy.request('/messages', send(BODY, headers))).status).toBe(201);
  });
});
