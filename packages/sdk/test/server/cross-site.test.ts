import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { envelopeOf, type Harness, post, startToy } from './_toy.ts';

// Over a real socket: the request's Host header is the server's address.
describe('requests a browser sends for another site', () => {
  let toy: Harness;
  let host: string;
  beforeAll(async () => {
    toy = await startToy('http');
    host = new URL(toy.url).host;
  });
  afterAll(() => toy.close());

  const send = (headers: Record<string, string>) =>
    toy.request('/messages', post({ messages: [{ to: 'a' }] }, headers));

  test.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (another port of the same host)', { 'sec-fetch-site': 'same-site' }],
    ['an Origin of another host, without Sec-Fetch-Site', { origin: 'http://elsewhere.example' }],
    ['an opaque Origin (null)', { origin: 'null' }],
  ])('%s: a write is refused with 403 cross_site_request', async (_name, headers) => {
    const response = await send(headers);
    expect(await envelopeOf(response)).toMatchObject({ status: 403, code: 'cross_site_request' });
  });

  test('the server’s own pages, typed URLs and clients that are not browsers may write', async () => {
    for (const headers of [
      {},
      { 'sec-fetch-site': 'same-origin', origin: `http://${host}` },
      { 'sec-fetch-site': 'none' },
      { origin: `http://${host}` },
    ]) {
      expect((await send(headers)).status, JSON.stringify(headers)).toBe(201);
    }
  });

  test('a GET that only reads is served to another site (a link from elsewhere)', async () => {
    const response = await toy.request('/items/abc', { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(response.status).toBe(200);
  });

  test('/openapi.json lists cross_site_request on writes only', async () => {
    const doc = (await (await toy.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { 'x-fleet-error-codes'?: string[] }> }>>;
    };
    expect(doc.paths['/messages']?.post?.responses['403']?.['x-fleet-error-codes']).toContain('cross_site_request');
    expect(doc.paths['/items/{id}']?.get?.responses['403']?.['x-fleet-error-codes']).not.toContain(
      'cross_site_request',
    );
  });
});
