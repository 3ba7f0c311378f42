import { describe, expect, test } from 'vitest';
import { TrustedProxies } from '../src/trusted-proxies.ts';
import { get, startTestFleet } from './_dashboard.ts';

const TOKEN = 'dashboard-secret';

/** The `Set-Cookie` of opening the overview with `?token=` over a real socket from 127.0.0.1. */
async function cookieOver(dashboard: { url: string }, headers: Record<string, string> = {}): Promise<string> {
  const response = await get(dashboard, `/?token=${TOKEN}`, headers);
  expect(response.status).toBe(303);
  return response.headers.get('set-cookie')!;
}

describe('behind a TLS-terminating proxy', () => {
  test('X-Forwarded-Proto: https from a trusted peer makes the session cookie Secure', async () => {
    const { dashboard } = await startTestFleet({ tokens: [TOKEN], trustProxy: ['127.0.0.1'] });
    expect(await cookieOver(dashboard, { 'x-forwarded-proto': 'https' })).toMatch(/; Secure$/);
    expect(await cookieOver(dashboard, { 'x-forwarded-proto': 'http' })).not.toContain('Secure');
    expect(await cookieOver(dashboard)).not.toContain('Secure');
  });

  test('a trusted CIDR range covers the peer too', async () => {
    const { dashboard } = await startTestFleet({ tokens: [TOKEN], trustProxy: ['10.0.0.1', '127.0.0.0/8'] });
    expect(await cookieOver(dashboard, { 'x-forwarded-proto': 'https' })).toMatch(/; Secure$/);
  });

  test('from a peer that is not trusted the header is ignored', async () => {
    for (const trustProxy of [[], ['10.0.0.0/8', '::1']]) {
      const { dashboard } = await startTestFleet({ tokens: [TOKEN], trustProxy });
      expect(await cookieOver(dashboard, { 'x-forwarded-proto': 'https' })).not.toContain('Secure');
    }
  });

  test('a page loaded over HTTPS itself still gets a Secure cookie, with or without trusted proxies', async () => {
    for (const trustProxy of [[], ['127.0.0.1']]) {
      const { dashboard } = await startTestFleet({ tokens: [TOKEN], trustProxy });
      const https = await dashboard.server.fetch(new Request(`https://dashboard.example/?token=${TOKEN}`));
      expect(https.headers.get('set-cookie')).toMatch(/; Secure$/);
      // In-process there is no TCP peer: a forwarded header alone counts for nothing.
      const forwarded = await dashboard.server.fetch(
        new Request(`http://dashboard.example/?token=${TOKEN}`, { headers: { 'x-forwarded-proto': 'https' } }),
      );
      expect(forwarded.headers.get('set-cookie')).not.toContain('Secure');
    }
  });
});

describe('TrustedProxies', () => {
  test('matches exact addresses, CIDR ranges and the IPv4-mapped form of an IPv4 entry', () => {
    const proxies = new TrustedProxies(['127.0.0.1', '10.1.0.0/16', 'fd00::/8']);
    expect(proxies.trusts('127.0.0.1')).toBe(true);
    expect(proxies.trusts('::ffff:127.0.0.1')).toBe(true);
    expect(proxies.trusts('10.1.200.3')).toBe(true);
    expect(proxies.trusts('10.2.0.1')).toBe(false);
    expect(proxies.trusts('fd12::1')).toBe(true);
    expect(proxies.trusts('127.0.0.2')).toBe(false);
    expect(proxies.trusts(undefined)).toBe(false);
    expect(proxies.trusts('not-an-ip')).toBe(false);
  });

  test.each(['localhost', '10.0.0.0/33', '10.0.0.0/', '::1/129', '1.2.3.4/x'])('refuses "%s"', (entry) => {
    expect(() => new TrustedProxies([entry])).toThrow(`trusted proxy "${entry}" is not an IP address or a CIDR range`);
  });
});
