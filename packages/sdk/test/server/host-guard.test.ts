import { requestWithHost } from '@fleet/test-utils/http-with-host';
import { afterEach, describe, expect, test } from 'vitest';
import { HostGuard } from '../../src/server/internal/host-guard.ts';
import { type Harness, startToy } from './_toy.ts';

// A page whose domain its owner rebinds to 127.0.0.1 is same-origin to the browser: its requests
// reach a tokenless server on loopback, but they carry that domain in Host.

const withHost = (url: string, path: string, host: string, headers: Record<string, string> = {}, method = 'GET') =>
  requestWithHost(url, path, host, { method, headers });

describe('the Host allow-list of a server without tokens', () => {
  let toy: Harness | undefined;
  afterEach(async () => {
    await toy?.close();
    toy = undefined;
  });
  const start = async (allowedHosts?: string[], tokens?: string[]) => {
    toy = await startToy('http', {
      ...(allowedHosts ? { allowedHosts } : {}),
      ...(tokens ? { tokens } : {}),
    });
    return toy.url;
  };

  test('a request for another name is refused with 403 host_not_allowed naming it', async () => {
    const url = await start();
    const { port } = new URL(url);
    const answer = await withHost(url, '/items/ab', `rebound.example:${port}`);
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({
      code: 'host_not_allowed',
      details: { field: 'host', host: 'rebound.example' },
    });
    expect(answer.body.error?.message).toContain('--allowed-host rebound.example');
    // A trailing dot is the same name.
    expect((await withHost(url, '/items/ab', `rebound.example.:${port}`)).status).toBe(403);
  });

  test('addresses, localhost and *.localhost are answered', async () => {
    const url = await start();
    const { port } = new URL(url);
    for (const host of [
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      `10.1.2.3:${port}`,
      `localhost:${port}`,
      'app.localhost',
    ]) {
      expect((await withHost(url, '/items/ab', host)).status, host).toBe(200);
    }
  });

  test('/health and /openapi.json are open to any host; a route that checks a credential itself is not', async () => {
    const url = await start();
    expect((await withHost(url, '/health', 'rebound.example')).status).toBe(200);
    expect((await withHost(url, '/openapi.json', 'rebound.example')).status).toBe(200);
    // `/fail/:code` is `auth: false` without `unauthorized` among its errors: open as well.
    expect((await withHost(url, '/fail/conflict', 'rebound.example', {}, 'POST')).body.error?.code).toBe('conflict');
  });

  test('allowed names, domains (.example.com) and * are answered', async () => {
    let url = await start(['bus.internal', '.example.com']);
    for (const host of ['bus.internal:1', 'BUS.internal.', 'example.com', 'a.b.example.com:8650']) {
      expect((await withHost(url, '/items/ab', host)).status, host).toBe(200);
    }
    for (const host of ['notexample.com', 'bus.internal.evil', 'internal']) {
      expect((await withHost(url, '/items/ab', host)).status, host).toBe(403);
    }
    await toy?.close();
    url = await start(['*']);
    expect((await withHost(url, '/items/ab', 'anything.example')).status).toBe(200);
  });

  test('with tokens the list does not apply: the token is what a page cannot have', async () => {
    const url = await start([], ['s3cret']);
    expect((await withHost(url, '/items/ab', 'rebound.example', { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect((await withHost(url, '/items/ab', 'rebound.example')).status).toBe(401);
  });

  test('an entry that is not a host name is refused when the server is created', async () => {
    for (const entry of ['http://bus.internal', 'bus.internal:8650', 'a b', '']) {
      await expect(startToy('in-process', { allowedHosts: [entry] }), entry).rejects.toThrow(/is not a host name/);
    }
  });

  test('the name a server is bound to is allowed; an address adds nothing', () => {
    const guard = new HostGuard([]);
    guard.allowBound('127.0.0.1');
    guard.allowBound('[::1]');
    expect(() => guard.check('myhost.lan')).toThrow(/myhost\.lan/);
    guard.allowBound('myhost.lan');
    expect(() => guard.check('myhost.lan:8650')).not.toThrow();
  });

  test('/openapi.json lists host_not_allowed on the guarded routes only', async () => {
    const url = await start();
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { 'x-fleet-error-codes'?: string[] }> }>>;
    };
    expect(doc.paths['/items/{id}']?.get?.responses['403']?.['x-fleet-error-codes']).toEqual(['host_not_allowed']);
    expect(doc.paths['/health']?.get?.responses['403']).toBeUndefined();
  });
});
