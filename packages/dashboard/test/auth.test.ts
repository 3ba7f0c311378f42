import { DashboardClient, ErrorEnvelope, FleetStatus } from '@fleet/sdk';
import { FleetServerStartError } from '@fleet/sdk/server';
import { requestWithHost } from '@fleet/test-utils/http-with-host';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { SESSION_COOKIE, SESSION_MAX_AGE_SECONDS } from '../src/browser-auth.ts';
import { startDashboardServer } from '../src/start-dashboard-server.ts';
import { get, startTestFleet } from './_dashboard.ts';

const TOKEN = 'dashboard-secret';
const bearer = { authorization: `Bearer ${TOKEN}` };

afterEach(() => {
  vi.useRealTimers();
});

/** Opens a browser session: `?token=` on a page answers a redirect that sets the cookie. */
async function sessionCookie(dashboard: { url: string }): Promise<string> {
  const response = await get(dashboard, `/?token=${TOKEN}`);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

describe('with tokens', () => {
  test('the JSON API and /metrics need the bearer token; /health and /openapi.json do not', async () => {
    const { dashboard } = await startTestFleet({ tokens: [TOKEN] });
    for (const path of ['/api/status', '/api/wizard/merlin', '/api/services/api', '/metrics']) {
      const refused = await get(dashboard, path);
      expect(refused.status, path).toBe(401);
      expect(ErrorEnvelope.parse(await refused.json()).error.code).toBe('unauthorized');
      expect((await get(dashboard, path, bearer)).status, path).toBe(200);
    }
    expect((await get(dashboard, '/api/status', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(dashboard, '/health')).status).toBe(200);
    expect((await get(dashboard, '/openapi.json')).status).toBe(200);
  });

  test('a page without a token is a 401 page saying how to open it, its code in data-code as documented', async () => {
    const { dashboard } = await startTestFleet({ tokens: [TOKEN] });
    for (const path of ['/', '/services/api', '/badge/api.svg']) {
      const response = await get(dashboard, path);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = await response.text();
      expect(page).toContain('?token=&lt;token&gt;');
      expect(page).toContain('<main id="notice" data-status="401" data-code="unauthorized">');
    }
    const doc = (await (await get(dashboard, '/openapi.json')).json()) as {
      paths: Record<string, { get: { responses: Record<string, { content: object }> } }>;
    };
    expect(Object.keys(doc.paths['/']!.get.responses['401']!.content)).toEqual(['text/html']);
    expect(Object.keys(doc.paths['/']!.get.responses['200']!.content)).toEqual(['text/html']);
    expect(Object.keys(doc.paths['/badge/{id}.svg']!.get.responses['200']!.content)).toEqual(['image/svg+xml']);
    const wrong = await get(dashboard, '/?token=guess');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  test('?token= sets an HttpOnly session cookie and redirects to the page without the token', async () => {
    const { dashboard } = await startTestFleet({ tokens: ['other', TOKEN] });
    const response = await get(dashboard, `/services/api?token=${TOKEN}&from=1`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/services/api?from=1');
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      new RegExp(`^${SESSION_COOKIE}=\\d+\\.[\\w-]{43}; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax$`),
    );
    expect(cookie).not.toContain(TOKEN);

    const session = cookie.split(';')[0]!;
    const page = await get(dashboard, '/', { cookie: `theme=dark; ${session}` });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<main id="overview"');
    const badge = await get(dashboard, '/badge/api.svg', { cookie: session });
    expect(badge.headers.get('cache-control')).toBe('private, max-age=10');
    expect((await get(dashboard, '/', { cookie: `${SESSION_COOKIE}=forged` })).status).toBe(401);
  });

  test('the server refuses a session cookie older than 12 hours, or issued in the future, like the Max-Age the browser is told', async () => {
    const { dashboard } = await startTestFleet({ tokens: [TOKEN] });
    const issued = Date.parse('2025-01-31T12:00:00Z');
    vi.setSystemTime(issued);
    const session = await sessionCookie(dashboard);
    expect((await get(dashboard, '/', { cookie: session })).status).toBe(200);

    vi.setSystemTime(issued + SESSION_MAX_AGE_SECONDS * 1000 - 1000);
    expect((await get(dashboard, '/', { cookie: session })).status).toBe(200);
    vi.setSystemTime(issued + SESSION_MAX_AGE_SECONDS * 1000 + 1000);
    for (const path of ['/', '/badge/api.svg', '/api/events']) {
      expect((await get(dashboard, path, { cookie: session })).status, path).toBe(401);
    }
    // A clock set back (or a cookie made for later) opens nothing beyond a minute of skew.
    vi.setSystemTime(issued - 30_000);
    expect((await get(dashboard, '/', { cookie: session })).status).toBe(200);
    vi.setSystemTime(issued - 120_000);
    expect((await get(dashboard, '/', { cookie: session })).status).toBe(401);
  });

  test('a session cookie whose time or MAC was changed, or that another token made, opens nothing', async () => {
    const other = await startTestFleet({ tokens: ['another-dashboard-token'] });
    const otherSession = (await get(other.dashboard, '/?token=another-dashboard-token')).headers
      .get('set-cookie')!
      .split(';')[0]!;
    const { dashboard } = await startTestFleet({ tokens: [TOKEN] });
    const session = await sessionCookie(dashboard);
    expect((await get(dashboard, '/', { cookie: session })).status).toBe(200);

    const [issuedAt, mac] = session.slice(SESSION_COOKIE.length + 1).split('.') as [string, string];
    const flipped = `${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    const tampered = [
      `${Number(issuedAt) + 3600}.${mac}`,
      `${issuedAt}.${flipped}`,
      `${issuedAt}.${mac.slice(1)}`,
      `${issuedAt}`,
      mac,
    ];
    for (const value of tampered) {
      expect((await get(dashboard, '/', { cookie: `${SESSION_COOKIE}=${value}` })).status, value).toBe(401);
    }
    expect((await get(dashboard, '/', { cookie: otherSession })).status).toBe(401);
    expect((await get(other.dashboard, '/', { cookie: otherSession })).status).toBe(200);
  });

  test('the event stream accepts the session cookie or the bearer header, nothing else', async () => {
    const { dashboard } = await startTestFleet({ tokens: [TOKEN] });
    const session = await sessionCookie(dashboard);
    expect((await get(dashboard, '/api/events')).status).toBe(401);
    for (const headers of [{ cookie: session }, bearer]) {
      const stop = new AbortController();
      const response = await fetch(`${dashboard.url}/api/events`, { headers, signal: stop.signal });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      stop.abort();
    }
  });

  test('the session cookie does not open the JSON API, which keeps to bearer tokens', async () => {
    const { dashboard } = await startTestFleet({ tokens: [TOKEN] });
    const session = await sessionCookie(dashboard);
    expect((await get(dashboard, '/api/status', { cookie: session })).status).toBe(401);
    FleetStatus.parse(await (await get(dashboard, '/api/status', bearer)).json());
  });

  test('pages opened with the session cookie link no JSON they could not open', async () => {
    const { dashboard } = await startTestFleet({ tokens: [TOKEN] });
    const session = await sessionCookie(dashboard);
    for (const [path, api] of [
      ['/', '/api/status'],
      ['/deploys', '/api/deploys'],
      ['/alerts', '/api/alerts'],
    ] as const) {
      const page = await get(dashboard, path, { cookie: session });
      expect(page.status, path).toBe(200);
      expect(await page.text(), path).not.toContain(`href="${api}"`);
    }
    // The live feed renders the same overview.
    const stop = new AbortController();
    const events = new DashboardClient({ url: dashboard.url, token: TOKEN, retry: 0 }).events({ signal: stop.signal });
    const first = await events.next();
    stop.abort();
    expect(first.value?.html).toContain('href="/deploys"');
    expect(first.value?.html).not.toContain('/api/status');
  });
});

describe('without tokens', () => {
  test('refuses to listen beyond loopback unless insecure', async () => {
    const attempt = startDashboardServer({
      fleet: { version: 1, hosts: {}, services: {}, wizards: {} },
      host: '0.0.0.0',
      port: 0,
      db: ':memory:',
      probe: false,
    });
    await expect(attempt).rejects.toThrow(FleetServerStartError);
    await expect(attempt).rejects.toThrow(/^Refusing to listen on 0\.0\.0\.0 without a bearer token/);
  });

  test('pages, badges, the event stream and the API answer only allowed Host names; /health any', async () => {
    const { dashboard } = await startTestFleet({ allowedHosts: ['dash.internal'] });
    for (const path of ['/', '/services/api', '/badge/api.svg', '/api/status', '/api/events', '/metrics']) {
      const refused = await requestWithHost(dashboard.url, path, 'rebound.example');
      expect(refused, path).toMatchObject({ status: 403, body: { error: { code: 'host_not_allowed' } } });
    }
    expect((await requestWithHost(dashboard.url, '/health', 'rebound.example')).status).toBe(200);
    expect((await requestWithHost(dashboard.url, '/api/status', 'dash.internal:8652')).status).toBe(200);
  });
});
