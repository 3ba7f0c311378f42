import { ErrorEnvelope, FleetStatus, ServiceDetail, TargetStatus } from '@fleet/sdk';
import { describe, expect, test } from 'vitest';
import { get, startTestFleet } from './_dashboard.ts';

describe('GET /api/status', () => {
  test('answers the FleetStatus of the fleet file: hosts with their targets in file order, counts per state', async () => {
    const { dashboard, api } = await startTestFleet();
    await dashboard.monitor.probeNow();
    const response = await get(dashboard, '/api/status');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const status = FleetStatus.parse(await response.json());
    expect(status.file).toMatch(/fleet\.yaml$/);
    expect(status.problems).toEqual([]);
    expect(status.hosts.map((host) => [host.name, host.address, host.targets.map((t) => t.id)])).toEqual([
      ['local', '127.0.0.1', ['api', 'merlin']],
    ]);
    expect(status.hosts[0]?.targets[0]).toMatchObject({
      kind: 'custom',
      state: 'up',
      url: `http://127.0.0.1:${api.port}/health`,
    });
    expect(status.counts).toEqual({ up: 2, degraded: 0, down: 0, unknown: 0, deploying: 0 });
  });

  test('has an ETag; the same one answers 304 until a probe changes the status', async () => {
    const { dashboard, api } = await startTestFleet();
    await dashboard.monitor.probeNow();
    const first = await get(dashboard, '/api/status');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    await first.arrayBuffer();

    const unchanged = await get(dashboard, '/api/status', { 'if-none-match': etag! });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(await unchanged.text()).toBe('');
    expect((await get(dashboard, '/api/status', { 'if-none-match': `W/${etag}` })).status).toBe(304);

    api.setHealthy(false);
    await dashboard.monitor.probeNow(['api']);
    const changed = await get(dashboard, '/api/status', { 'if-none-match': etag! });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const status = FleetStatus.parse(await changed.json());
    expect(status.hosts[0]?.targets[0]).toMatchObject({ id: 'api', state: 'down' });
    expect(status.counts.down).toBe(1);
  });

  test('/openapi.json documents the ETag, If-None-Match and the 304 it answers', async () => {
    const { dashboard } = await startTestFleet();
    type Operation = {
      parameters?: Array<{ name: string; in: string; required: boolean }>;
      responses: Record<string, { headers?: Record<string, unknown>; content?: object }>;
    };
    const document = (await (await get(dashboard, '/openapi.json')).json()) as {
      paths: Record<string, { get: Operation }>;
    };
    const operation = document.paths['/api/status']!.get;
    expect(operation.parameters).toEqual([
      expect.objectContaining({ name: 'If-None-Match', in: 'header', required: false }),
    ]);
    expect(Object.keys(operation.responses['200']?.headers ?? {})).toEqual(['etag']);
    expect(operation.responses['304']).toMatchObject({ headers: { etag: expect.any(Object) } });
    expect(operation.responses['304']).not.toHaveProperty('content');

    // What the document says is what the route does.
    const first = await get(dashboard, '/api/status');
    await first.arrayBuffer();
    const unchanged = await get(dashboard, '/api/status', { 'if-none-match': first.headers.get('etag')! });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(first.headers.get('etag'));
  });
});

describe('GET /api/wizard/:id and /api/services/:id', () => {
  test('a wizard answers its TargetStatus', async () => {
    const { dashboard } = await startTestFleet();
    await dashboard.monitor.probeNow();
    const response = await get(dashboard, '/api/wizard/merlin');
    expect(TargetStatus.parse(await response.json())).toMatchObject({ id: 'merlin', kind: 'wizard', state: 'up' });
  });

  test.each(['nobody', 'api'])('%s is not a wizard: 404 not_found naming the id', async (id) => {
    const { dashboard } = await startTestFleet();
    const response = await get(dashboard, `/api/wizard/${id}`);
    expect(response.status).toBe(404);
    const envelope = ErrorEnvelope.parse(await response.json());
    expect(envelope.error).toMatchObject({ code: 'not_found', details: { field: 'id', id } });
    expect(envelope.error.message).toContain(`"${id}"`);
  });

  test('a service answers its history and state transitions', async () => {
    const { dashboard, api } = await startTestFleet();
    await dashboard.monitor.probeNow(['api']);
    api.setHealthy(false);
    await dashboard.monitor.probeNow(['api']);
    const response = await get(dashboard, '/api/services/api?resolution=raw');
    const detail = ServiceDetail.parse(await response.json());
    expect(detail.status).toMatchObject({ id: 'api', state: 'down' });
    expect(detail.history.map((bucket) => bucket.ok)).toEqual([1, 0]);
    expect(detail.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['up->down', 'unknown->up']);
  });

  test('a bad range is refused naming the field; an unknown service is 404', async () => {
    const { dashboard } = await startTestFleet();
    const backwards = await get(dashboard, '/api/services/api?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z');
    expect(backwards.status).toBe(400);
    expect(ErrorEnvelope.parse(await backwards.json()).error).toMatchObject({
      code: 'validation_failed',
      message: 'from: must be before to',
    });
    const garbled = await get(dashboard, '/api/services/api?to=yesterday');
    expect(ErrorEnvelope.parse(await garbled.json()).error).toMatchObject({
      code: 'validation_failed',
      message: 'to: must be an ISO 8601 time (2025-01-31T12:00:00Z) or epoch milliseconds',
    });
    const future = await get(dashboard, `/api/services/api?from=${Date.now() + 86_400_000}`);
    expect(ErrorEnvelope.parse(await future.json()).error).toMatchObject({
      code: 'validation_failed',
      details: { issues: [{ field: 'from' }] },
    });
    const missing = await get(dashboard, '/api/services/nothing');
    expect(ErrorEnvelope.parse(await missing.json()).error).toMatchObject({ code: 'not_found' });
  });
});

describe('pages and badges', () => {
  test('/ is the server-rendered overview with every target and its uptime bar', async () => {
    const { dashboard } = await startTestFleet();
    await dashboard.monitor.probeNow();
    const response = await get(dashboard, '/');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    expect(page).toMatch(/<title>test-fleet · all 2 up<\/title>/);
    expect(page).toMatch(/<tr id="target-api" data-target="api" data-state="up"/);
    expect(page).toMatch(/<tr id="target-merlin"[^>]*data-state="up"/);
    expect(page).toContain('class="uptime-bar"');
    expect(page).toContain('new EventSource("/api/events")');
  });

  test('pages allow only their own inline style and script (CSP nonce, fresh per page)', async () => {
    const { dashboard } = await startTestFleet();
    const nonces = [];
    for (const path of ['/', '/', '/services/api']) {
      const response = await get(dashboard, path);
      const csp = response.headers.get('content-security-policy') ?? '';
      const nonce = /script-src 'nonce-([\w+/=]+)'/.exec(csp)?.[1];
      expect(csp).toMatch(/^default-src 'none'; /);
      expect(csp).toContain(`style-src 'nonce-${nonce}'`);
      const page = await response.text();
      expect(page).toContain(`<style nonce="${nonce}">`);
      if (path === '/') expect(page).toContain(`<script nonce="${nonce}">`);
      nonces.push(nonce);
    }
    expect(new Set(nonces).size).toBe(3);
  });

  test('/services/:id is the detail page; an unknown id is a 404 page', async () => {
    const { dashboard } = await startTestFleet();
    await dashboard.monitor.probeNow();
    const detail = await get(dashboard, '/services/merlin');
    expect(detail.status).toBe(200);
    expect(await detail.text()).toMatch(/<main id="service" data-target="merlin" data-state="up">/);
    const missing = await get(dashboard, '/services/ghost');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await missing.text()).toContain('The fleet has no service or wizard named &quot;ghost&quot;.');
  });

  test('/badge/:id.svg is an SVG of the state, cacheable for a few seconds', async () => {
    const { dashboard, wizard } = await startTestFleet();
    wizard.setHealthy(false);
    await dashboard.monitor.probeNow();
    const response = await get(dashboard, '/badge/merlin.svg');
    expect(response.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=10');
    expect(await response.text()).toMatch(/^<svg [^>]*aria-label="merlin: down"/);
    expect((await get(dashboard, '/badge/ghost.svg')).status).toBe(404);
  });
});

describe('common routes', () => {
  test('/metrics counts targets per state and probes per target and result', async () => {
    const { dashboard, api } = await startTestFleet();
    api.setHealthy(false);
    await dashboard.monitor.probeNow();
    const text = await (await get(dashboard, '/metrics')).text();
    expect(text).toContain('fleet_dashboard_targets{state="down"} 1');
    expect(text).toContain('fleet_dashboard_targets{state="up"} 1');
    expect(text).toContain('fleet_monitor_probes_total{target="api",result="failed"} 1');
    expect(text).toContain('fleet_monitor_probes_total{target="merlin",result="ok"} 1');
    expect(text).toMatch(/fleet_monitor_probe_duration_seconds_count\{kind="wizard"\} 1/);
    expect(text).toContain('fleet_dashboard_fleet_file_problems{severity="error"} 0');
  });

  test('/metrics takes response times only from probes that got an answer', async () => {
    const { dashboard, api, wizard } = await startTestFleet();
    await api.close(); // refused from now on: no answer, so no response time
    wizard.setHealthy(false); // a 503 is an answer, and has one
    await dashboard.monitor.probeNow();
    const text = await (await get(dashboard, '/metrics')).text();
    expect(text).toContain('fleet_monitor_probes_total{target="api",result="failed"} 1');
    expect(text).not.toMatch(/fleet_monitor_probe_duration_seconds_count\{kind="custom"\}/);
    expect(text).toMatch(/fleet_monitor_probe_duration_seconds_count\{kind="wizard"\} 1/);
  });

  test('/openapi.json documents every dashboard route; /health names the service', async () => {
    const { dashboard } = await startTestFleet();
    const document = (await (await get(dashboard, '/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).sort()).toEqual(
      [
        '/',
        '/alerts',
        '/api/alerts',
        '/api/deploys',
        '/api/deploys/events',
        '/api/events',
        '/deploys',
        '/api/services/{id}',
        '/api/status',
        '/api/wizard/{id}',
        '/badge/{id}.svg',
        '/health',
        '/metrics',
        '/openapi.json',
        '/services/{id}',
      ].sort(),
    );
    expect(await (await get(dashboard, '/health')).json()).toMatchObject({
      status: 'ok',
      service: 'fleet-dashboard',
      details: { targets: 2 },
    });
  });
});
