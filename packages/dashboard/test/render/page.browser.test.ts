import { mkdirSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FleetStatus } from '@fleet/sdk';
import { hasChromium, launchChromium } from '@fleet/test-utils/chromium';
import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderAlertsPage } from '../../src/render/alerts-page.ts';
import { renderBus } from '../../src/render/bus.ts';
import { renderDeploysPage } from '../../src/render/deploys-page.ts';
import { renderOverview } from '../../src/render/overview.ts';
import { renderPage } from '../../src/render/page.ts';
import { renderServiceDetail } from '../../src/render/service-detail.ts';
import { alerts, buckets, deploys, fleetStatus, NOW, serviceDetail } from './_fixtures.ts';

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url));
const history = {
  bus: buckets(288),
  knowledge: buckets(288, (i) => (i % 40 === 0 ? { ok: 9 } : {})),
  merlin: serviceDetail().history,
};
/** What the overview is rendered with: uptime bars, and a deploy going on and a failed one. */
const overviewOptions = { history, deploys: deploys() };

/** The text as rendered, what a user sees (unlike textContent, it skips hidden elements). */
function visibleText(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what this test is about
  return locator.innerText();
}

/**
 * A stand-in for the dashboard server: serves the rendered pages and an event stream speaking the
 * protocol documented on clientScript(), sending the current overview to every new connection.
 */
function startServer() {
  let status = fleetStatus();
  const streams = new Set<ServerResponse>();
  let connections = 0;
  const send = (res: ServerResponse, event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const server: Server = createServer((req, res) => {
    if (req.url === '/api/events') {
      connections++;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('retry: 100\n\n');
      send(res, 'overview', { html: renderOverview(status, overviewOptions) });
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    const page =
      req.url === '/'
        ? renderPage(status, overviewOptions)
        : req.url === '/services/merlin'
          ? renderServiceDetail(serviceDetail(), { now: NOW })
          : req.url === '/alerts'
            ? renderAlertsPage(alerts())
            : req.url === '/deploys'
              ? renderDeploysPage(deploys())
              : null;
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page ?? 'not found');
  });
  return {
    server,
    get connections() {
      return connections;
    },
    setStatus(next: FleetStatus) {
      status = next;
    },
    broadcast(event: string, data: unknown) {
      for (const res of streams) send(res, event, data);
    },
    dropStreams() {
      for (const res of streams) res.destroy();
    },
  };
}

describe.skipIf(!hasChromium())('the rendered dashboard in Chromium', () => {
  let browser: Browser;
  let app: ReturnType<typeof startServer>;
  let base: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    app = startServer();
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    app?.server.closeAllConnections();
    await new Promise((resolve) => app?.server.close(resolve));
  });

  test('shows the fleet without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const row = page.locator('#target-merlin');
    await row.waitFor({ state: 'visible' });
    expect(await visibleText(row)).toMatch(/merlin\s+✖ down\s+connect ECONNREFUSED 10\.0\.0\.2:8643\s+wizard/);
    expect(await visibleText(page.locator('#problems'))).toContain('fleet.yaml:12:5');
    expect(await page.locator('#live').isVisible()).toBe(false);
    await context.close();
  });

  test('goes live and follows overview and section updates without reloading', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.locator('#target-merlin').waitFor({ state: 'visible' });
    await page.waitForSelector('#live[data-live="live"]');
    expect(await visibleText(page.locator('#live'))).toBe('live');
    await page.screenshot({ path: `${ARTIFACTS}dashboard-overview.png`, fullPage: true });
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));

    // merlin comes back up: a whole new overview.
    const recovered = fleetStatus();
    recovered.hosts[1]!.targets[0] = { ...recovered.hosts[1]!.targets[0]!, state: 'up', lastError: null };
    recovered.counts = { ...recovered.counts, down: 0, up: 2 };
    app.setStatus(recovered);
    app.broadcast('overview', { html: renderOverview(recovered, overviewOptions) });
    await page.waitForSelector('#target-merlin[data-state="up"]');
    expect(await visibleText(page.locator('#target-merlin'))).toContain('● up');
    expect(await page.title()).toBe('Fleet · 1 degraded');

    // One section, sent as a plain `message` event (what @fleet/sdk/server's SSE routes send).
    const drained = recovered.bus.map((b) => ({
      ...b,
      recipients: [],
      totals: { ready: 0, inFlight: 0, delayed: 0, dead: 0 },
    }));
    app.broadcast('message', { id: 'bus', html: renderBus(drained, NOW) });
    await page.waitForSelector('#bus-bus[data-dead="0"]');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    // The connection drops and comes back; the fresh overview catches the page up.
    const before = app.connections;
    app.dropStreams();
    await page.waitForFunction(() => document.querySelector('#bus-bus tbody') !== null);
    expect(app.connections).toBeGreaterThan(before);
    await page.waitForSelector('#live[data-live="live"]');
    await context.close();
  });

  test('renders the service detail and the dark theme', async () => {
    const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/services/merlin`);
    await page.locator('#summary').waitFor({ state: 'visible' });
    expect(await visibleText(page.locator('#summary h2'))).toContain('merlin ✖ down');
    expect(await page.locator('.chart-wide .latency-chart').isVisible()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-service-dark.png`, fullPage: true });
    await page.goto(`${base}/`);
    await page.locator('#target-merlin').waitFor({ state: 'visible' });
    await page.screenshot({ path: `${ARTIFACTS}dashboard-overview-dark.png`, fullPage: true });
    await context.close();
    const light = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const detail = await light.newPage();
    await detail.goto(`${base}/services/merlin`);
    await detail.screenshot({ path: `${ARTIFACTS}dashboard-service.png`, fullPage: true });
    await light.close();
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const small = await phone.newPage();
    await small.goto(`${base}/`);
    // Wide tables scroll inside their section instead of widening the page.
    expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    await small.screenshot({ path: `${ARTIFACTS}dashboard-overview-phone.png`, fullPage: true });
    await phone.close();
  });

  test.each([
    ['phone', 390],
    ['desktop', 1280],
  ])('on a %s (%i px), every page fits the width and the overview and chart stay legible', async (_, width) => {
    const context = await browser.newContext({ viewport: { width, height: 844 } });
    const page = await context.newPage();
    for (const path of ['/', '/alerts', '/deploys', '/services/merlin']) {
      await page.goto(`${base}${path}`);
      await page.locator('main').first().waitFor({ state: 'visible' });
      // Wide tables scroll inside their section instead of widening the page.
      expect([path, await page.evaluate(() => document.documentElement.scrollWidth)]).toEqual([path, width]);
      await page.screenshot({
        path: `${ARTIFACTS}dashboard${path.replace(/\//g, '-').replace(/-$/, '-overview')}-${width}.png`,
        fullPage: true,
      });
    }

    // The overview: each target's state is on screen without scrolling its table, and no kind or
    // short name is broken over two lines.
    await page.goto(`${base}/`);
    await page.locator('#target-merlin').waitFor({ state: 'visible' });
    const rows = await page.evaluate(() => {
      const lines = (cell: Element) => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
      };
      return [...document.querySelectorAll('tr[data-target]')].map((row) => {
        const headers = [...row.closest('table')!.querySelectorAll('thead th')].map((th) => th.textContent);
        const cells = [...row.children];
        const state = cells[headers.indexOf('State')]!.querySelector('.state')!.getBoundingClientRect();
        const box = row.closest('.scroll')!.getBoundingClientRect();
        return {
          target: row.getAttribute('data-target'),
          stateOnScreen: state.left >= box.left && state.right <= box.right,
          nameLines: lines(cells[0]!.querySelector('a')!),
          kindLines: lines(cells[headers.indexOf('Kind')]!),
        };
      });
    });
    expect(rows).toHaveLength(5);
    for (const row of rows)
      expect(row).toEqual({ target: row.target, stateOnScreen: true, nameLines: 1, kindLines: 1 });

    // The latency chart on screen: its labels at least 10 px tall and none cut off.
    await page.goto(`${base}/services/merlin`);
    const labels = await page.evaluate(() => {
      const charts = [...document.querySelectorAll<SVGSVGElement>('.latency-chart')].filter(
        (svg) => svg.getBoundingClientRect().width > 0,
      );
      return charts.flatMap((svg) => {
        const box = svg.getBoundingClientRect();
        return [...svg.querySelectorAll('text')].map((text) => {
          const rect = text.getBoundingClientRect();
          return {
            charts: charts.length,
            text: text.textContent,
            px: Number.parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM()!.a,
            inside:
              rect.left >= box.left && rect.right <= box.right && rect.top >= box.top && rect.bottom <= box.bottom,
          };
        });
      });
    });
    expect(labels.length).toBeGreaterThanOrEqual(5);
    for (const label of labels) {
      expect(label).toEqual({ charts: 1, text: label.text, px: label.px, inside: true });
      expect(label.px, label.text!).toBeGreaterThanOrEqual(10);
    }
    await context.close();
  });
});
