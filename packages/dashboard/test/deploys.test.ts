import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DashboardClient, type DeployEventsInput } from '@fleet/sdk';
import { describe, expect, test } from 'vitest';
import { startDashboardServer } from '../src/start-dashboard-server.ts';
import { get, onCleanup, startTestFleet } from './_dashboard.ts';

const TOKEN = 'deploys-token';
const at = (second: number) => new Date(Date.UTC(2025, 0, 31, 12, 0, second)).toISOString();
const counts = { ok: 1, changed: 1, failed: 0, skipped: 0, mayChange: 0 };

/** A batch of run `id` (commit `commit`) as the deployer's reporter posts it. */
function batch(id: string, commit: string, events: DeployEventsInput['events']): DeployEventsInput {
  return { run: { id, trigger: 'webhook', mode: 'apply', commit }, events };
}

/** The host `local` starting run `id` and reaching a step. */
function started(id: string, second: number): DeployEventsInput['events'] {
  return [
    { type: 'run_started', at: at(second), runId: id, mode: 'apply', batches: [['local']] },
    { type: 'host_started', at: at(second), host: 'local', mode: 'apply' },
    { type: 'phase_started', at: at(second), host: 'local', phase: 'release' },
    { type: 'step_started', at: at(second), host: 'local', phase: 'release', step: 'bundle', kind: 'release-bundle' },
  ];
}

/** The host `local` finishing run `id` with `status`, and the run ending. */
function finished(id: string, second: number, status: 'changed' | 'failed'): DeployEventsInput['events'] {
  return [
    {
      type: 'host_finished',
      at: at(second),
      host: 'local',
      result: { host: 'local', mode: 'apply', status, aborted: false, phases: [], counts, durationMs: 2500 },
    },
    ...(status === 'failed'
      ? [{ type: 'gate_failed' as const, at: at(second), host: 'local', step: 'health api', reason: 'HTTP 503' }]
      : []),
    { type: 'run_finished', at: at(second + 1), runId: id, status },
  ];
}

/** The next live update of the overview whose HTML passes `test`. */
async function nextOverview(events: AsyncGenerator<{ html: string }>, test: (html: string) => boolean) {
  // next() rather than for-await: leaving a for-await loop would close the stream.
  for (let event = await events.next(); !event.done; event = await events.next()) {
    if (test(event.value.html)) return event.value.html;
  }
  throw new Error('the event stream ended');
}

describe('deploys on the overview', () => {
  test('a running deploy shows live at the top, its host targets as deploying; a failure stays until a good run', async () => {
    const { dashboard } = await startTestFleet({ tokens: [TOKEN], liveIntervalMs: 0 });
    const client = new DashboardClient({ url: dashboard.url, token: TOKEN, retry: 0 });
    const stop = new AbortController();
    const events = client.events({ signal: stop.signal });
    try {
      expect(await nextOverview(events, () => true)).toContain('<div id="deploys" data-count="0" hidden></div>');

      await client.postDeployEvents(batch('r1', 'bad1', started('r1', 0)));
      const running = await nextOverview(events, (html) => html.includes('data-run="r1"'));
      expect(running).toMatch(
        /<section class="deploy deploy-running" data-run="r1" data-status="running"><h2>Deploying/,
      );
      expect(running).toMatch(
        /data-host="local" data-status="running"><code>local<\/code> <span class="deploy-status">running<\/span> <span class="muted">release · bundle<\/span>/,
      );
      expect(running).toContain('webhook · commit bad1');
      expect(running).toMatch(/<tr id="target-api"[^>]*data-state="deploying"/);

      await client.postDeployEvents(batch('r1', 'bad1', finished('r1', 5, 'failed')));
      const failed = await nextOverview(events, (html) => html.includes('data-status="failed"'));
      expect(failed).toMatch(
        /<section class="deploy deploy-failed" data-run="r1" data-status="failed"><h2>Deploy failed/,
      );
      expect(failed).toContain('local: health api failed: HTTP 503');
      // The window ended with the host: its targets are judged by their probes again.
      expect(failed).toMatch(/<tr id="target-api"[^>]*data-state="unknown"/);

      // The page itself shows it too, without the live updates.
      const page = await (await get(dashboard, '/', { authorization: `Bearer ${TOKEN}` })).text();
      expect(page).toContain('<h2>Deploy failed <code>r1</code></h2>');

      await client.postDeployEvents(batch('r2', 'good2', [...started('r2', 10), ...finished('r2', 12, 'changed')]));
      expect(await nextOverview(events, (html) => !html.includes('data-run="r1"'))).toContain(
        '<div id="deploys" data-count="0" hidden></div>',
      );
    } finally {
      stop.abort();
    }
  });
});

describe('a restart during a deploy', () => {
  test('a deploy of a host named like one of its targets covers every target on the host', async () => {
    const { dashboard, config } = await startTestFleet({ tokens: [TOKEN] });
    // The host `api` runs the service `api` and the wizard `merlin`.
    writeFileSync(config, readFileSync(config, 'utf8').replaceAll('local', 'api'));
    await dashboard.reload();
    const client = new DashboardClient({ url: dashboard.url, token: TOKEN, retry: 0 });
    const events = started('r1', 0).map((event) => ('host' in event ? { ...event, host: 'api' } : event));
    await client.postDeployEvents(batch('r1', 'c1', events as DeployEventsInput['events']));
    const states = Object.fromEntries(dashboard.monitor.statuses().map((status) => [status.id, status.state]));
    expect(states).toEqual({ api: 'deploying', merlin: 'deploying' });
  });

  test("keeps the hosts being deployed deploying, and the run's state", async () => {
    const { dashboard, config, dir } = await startTestFleet({ tokens: [TOKEN] });
    const client = new DashboardClient({ url: dashboard.url, token: TOKEN, retry: 0 });
    await client.postDeployEvents(batch('r1', 'c1', started('r1', 0)));
    await dashboard.close();

    const restarted = await startDashboardServer({
      config,
      port: 0,
      db: join(dir, 'dashboard.db'),
      probe: false,
      tokens: [TOKEN],
    });
    onCleanup(() => restarted.close());
    const states = Object.fromEntries(restarted.monitor.statuses().map((status) => [status.id, status.state]));
    expect(states).toEqual({ api: 'deploying', merlin: 'deploying' });
    const deploys = await new DashboardClient({ url: restarted.url, token: TOKEN, retry: 0 }).deploys();
    expect(deploys.runs.map((run) => [run.id, run.status, run.hosts[0]?.step])).toEqual([['r1', 'running', 'bundle']]);
    // A list like every Fleet list: the items and their count.
    expect(deploys.count).toBe(1);
  });
});

describe('the deploys page', () => {
  test('lists recent runs with status, trigger, commit, duration and each host, newest first; it needs the token', async () => {
    const { dashboard } = await startTestFleet({ tokens: [TOKEN] });
    const client = new DashboardClient({ url: dashboard.url, token: TOKEN, retry: 0 });
    expect((await get(dashboard, '/deploys')).status).toBe(401);
    const empty = await (await get(dashboard, '/deploys', { authorization: `Bearer ${TOKEN}` })).text();
    expect(empty).toContain('No deploy has been reported to this dashboard yet.');

    await client.postDeployEvents(batch('r1', 'bad1', [...started('r1', 0), ...finished('r1', 4, 'failed')]));
    await client.postDeployEvents(batch('r2', 'good2', started('r2', 10)));
    const response = await get(dashboard, '/deploys', { authorization: `Bearer ${TOKEN}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'nonce-");
    const page = await response.text();
    const rows = [...page.matchAll(/<tr data-run="(\w+)" data-status="(\w+)">/g)].map((match) => [match[1], match[2]]);
    expect(rows).toEqual([
      ['r2', 'running'],
      ['r1', 'failed'],
    ]);
    expect(page).toContain(
      '<tr data-run="r1" data-status="failed"><th><code>r1</code></th><td>failed</td><td>webhook</td><td><code>bad1</code></td>',
    );
    expect(page).toContain('<li data-host="local" data-status="failed"><code>local</code> failed (2.50 s)</li>');
    expect(page).toContain('<li>local: health api failed: HTTP 503</li>');
    // The run going on and the failed one are on top, as on the overview.
    expect(page).toMatch(/<div id="deploys" data-count="2"><section class="deploy deploy-failed" data-run="r1"/);
  });
});
