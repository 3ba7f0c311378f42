import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasChromium, launchChromium } from '@fleet/test-utils/chromium';
import { darkenableProxy } from '@fleet/test-utils/dark-proxy';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { BrowserAuth, SESSION_COOKIE, SESSION_MAX_AGE_SECONDS } from '../src/browser-auth.ts';
import { startDashboardServer } from '../src/start-dashboard-server.ts';
import { fleetYaml, get, onCleanup, startTestFleet } from './_dashboard.ts';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
// Generous: a shared machine may be slow; nothing here measures time.
const WAIT = { timeout: 20_000 };

/** The row of a target once it shows `state`. */
function waitForState(page: Page, id: string, state: string) {
  return page.waitForSelector(`#target-${id}[data-state="${state}"]`, WAIT);
}

/** Marks the window, so a later check can tell that the page was never reloaded. */
async function markWindow(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { fleetMark: true }));
}

async function stillSameWindow(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { fleetMark?: boolean }).fleetMark === true);
}

describe.skipIf(!hasChromium())('the real dashboard in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('a target that goes down and comes back is shown live, without reloading the page', async () => {
    const { dashboard, api } = await startTestFleet();
    await dashboard.monitor.probeNow();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.url}/`);
      await waitForState(page, 'api', 'up');
      await page.waitForSelector('#live[data-live="live"]', WAIT);
      await markWindow(page);

      api.setHealthy(false);
      await dashboard.monitor.probeNow(['api']);
      await waitForState(page, 'api', 'down');
      expect(await page.locator('#target-api .state').textContent()).toBe('✖ down');
      expect(await page.title()).toBe('test-fleet · 1 down');
      expect(await stillSameWindow(page)).toBe(true);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-live-down.png`, fullPage: true });

      api.setHealthy(true);
      await dashboard.monitor.probeNow(['api']);
      await waitForState(page, 'api', 'up');
      expect(await page.title()).toBe('test-fleet · all 2 up');
      expect(await stillSameWindow(page)).toBe(true);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-live-up.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('an up target whose last probe failed shows the error at once, live and in the served page', async () => {
    const { dashboard, api, wizard, config } = await startTestFleet();
    // Down only after three failed probes in a row: the first failure leaves it up.
    writeFileSync(config, fleetYaml(api.port, wizard.port).replace('failureThreshold: 1', 'failureThreshold: 3'));
    await dashboard.reload();
    await dashboard.monitor.probeNow();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.url}/`);
      await waitForState(page, 'api', 'up');
      await page.waitForSelector('#live[data-live="live"]', WAIT);
      expect(await page.locator('#target-api .error').count()).toBe(0);

      api.setHealthy(false);
      await dashboard.monitor.probeNow(['api']);
      const error = page.locator('#target-api[data-state="up"] .error');
      await error.waitFor(WAIT);
      expect(await error.textContent()).toMatch(/^last probe failed: .*503/);
      expect(await page.locator('#target-api .state').textContent()).toBe('● up');
      // The page as served, before any live update, says it too.
      expect(await (await get(dashboard, '/')).text()).toMatch(/class="error"[^>]*>last probe failed: [^<]*503/);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-live-up-failing.png`, fullPage: true });

      api.setHealthy(true);
      await dashboard.monitor.probeNow(['api']);
      await page.waitForSelector('#target-api[data-state="up"]:not(:has(.error))', WAIT);
    } finally {
      await context.close();
    }
  });

  test('when the dashboard stops, the open page says it is stale; when it is back, fresh again', async () => {
    const { dashboard, dir, config } = await startTestFleet();
    await dashboard.monitor.probeNow();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.url}/`);
      await page.waitForSelector('#live[data-live="live"]', WAIT);
      expect(await page.title()).toBe('test-fleet · all 2 up');
      expect(await page.locator('#stale').isVisible()).toBe(false);
      await markWindow(page);

      await dashboard.close();
      await page.waitForSelector('#overview[data-stale]', WAIT);
      await page.waitForSelector('#stale', { ...WAIT, state: 'visible' });
      expect(await page.locator('#stale').textContent()).toMatch(
        /the connection to the dashboard is lost.*as of \d\d:\d\d:\d\d UTC/,
      );
      expect(await page.title()).toBe('stale · test-fleet · all 2 up');
      expect(await page.evaluate(() => getComputedStyle(document.getElementById('overview')!).opacity)).toBe('0.5');
      await page.screenshot({ path: `${ARTIFACTS}dashboard-stale.png`, fullPage: true });

      // The same dashboard again, on the same port: the page catches up by itself.
      const restarted = await startDashboardServer({
        config,
        port: Number(new URL(dashboard.url).port),
        db: join(dir, 'dashboard.db'),
        probe: false,
        statusRebuildMs: 0,
      });
      onCleanup(() => restarted.close());
      await page.waitForSelector('#overview:not([data-stale])', WAIT);
      await page.waitForSelector('#stale', { ...WAIT, state: 'hidden' });
      expect(await page.title()).toMatch(/^test-fleet · /);
      expect(await stillSameWindow(page)).toBe(true);
    } finally {
      await context.close();
    }
  });

  test('when the session has expired, the open page says so and how to open a new one, not that the connection is lost', async () => {
    const token = 'wall-display-token';
    const { dashboard, dir, config } = await startTestFleet({ tokens: [token] });
    await dashboard.monitor.probeNow();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.url}/?token=${token}`);
      await page.waitForSelector('#live[data-live="live"]', WAIT);
      await markWindow(page);

      // A day on a wall display: the browser still holds the session cookie, issued over 12 hours ago.
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(Date.now() - (SESSION_MAX_AGE_SECONDS + 60) * 1000);
        const aged = new BrowserAuth([token]).sessionCookie(token, false);
        await context.clearCookies();
        await context.addCookies([
          { name: SESSION_COOKIE, value: aged.split(';')[0]!.split('=')[1]!, url: `${dashboard.url}/` },
        ]);
      } finally {
        vi.useRealTimers();
      }

      // A blip (the dashboard restarts): the event stream reconnects, and is refused with 401.
      await dashboard.close();
      const restarted = await startDashboardServer({
        config,
        port: Number(new URL(dashboard.url).port),
        db: join(dir, 'dashboard.db'),
        probe: false,
        statusRebuildMs: 0,
        tokens: [token],
      });
      onCleanup(() => restarted.close());
      await page.waitForSelector('#overview[data-stale]', WAIT);
      await page.waitForSelector('#stale', { ...WAIT, state: 'visible' });
      await page
        .waitForFunction(() => /session/.test(document.getElementById('stale')?.textContent ?? ''), undefined, WAIT)
        .catch(() => undefined);
      const banner = await page.locator('#stale').textContent();
      expect(banner).toMatch(/session .*has expired/);
      expect(banner).toContain('?token=<token>');
      expect(banner).toMatch(/as of \d\d:\d\d:\d\d UTC/);
      expect(banner).not.toContain('connection');
      expect(await page.title()).toBe('stale · test-fleet · all 2 up');
      await page.screenshot({ path: `${ARTIFACTS}dashboard-session-expired.png`, fullPage: true });

      // A new session (the ?token= link opened in another tab): the page catches up by itself.
      const renewed = (await get(restarted, `/?token=${token}`)).headers.get('set-cookie')!;
      await context.clearCookies();
      await context.addCookies([
        { name: SESSION_COOKIE, value: renewed.split(';')[0]!.split('=')[1]!, url: `${dashboard.url}/` },
      ]);
      await page.waitForSelector('#overview:not([data-stale])', WAIT);
      await page.waitForSelector('#stale', { ...WAIT, state: 'hidden' });
      expect(await stillSameWindow(page)).toBe(true);
    } finally {
      await context.close();
    }
  });

  test('a connection that goes silent without a reset (a network gone dark) is noticed: stale, then live on a new one', async () => {
    // Keepalive pings every 200 ms: the page takes 600 ms without a word as a dead connection.
    const { dashboard } = await startTestFleet({ sseKeepAliveMs: 200 });
    await dashboard.monitor.probeNow();
    const proxy = await darkenableProxy(new URL(dashboard.url));
    onCleanup(() => proxy.close());
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(proxy.url);
      await page.waitForSelector('#live[data-live="live"]', WAIT);
      await markWindow(page);

      // Every title the page shows from now on (a stale spell may be short: the new connection
      // is up within milliseconds).
      await page.evaluate(() => {
        const titles: string[] = [];
        Object.assign(window, { fleetTitles: titles });
        new MutationObserver(() => titles.push(document.title)).observe(document.head, {
          subtree: true,
          childList: true,
          characterData: true,
        });
      });
      // The open connections stop forwarding, and nothing closes them: no error reaches the page.
      proxy.darkenOpen();
      await page.waitForFunction(
        () => (window as unknown as { fleetTitles: string[] }).fleetTitles.includes('stale · test-fleet · all 2 up'),
        undefined,
        WAIT,
      );

      // New connections go through: the page opens one by itself and is fresh again.
      await page.waitForSelector('#overview:not([data-stale])', WAIT);
      await page.waitForSelector('#live[data-live="live"]', WAIT);
      expect(await page.title()).toBe('test-fleet · all 2 up');
      expect(await stillSameWindow(page)).toBe(true);
    } finally {
      await context.close();
    }
  });

  test('a broken fleet file shows its problems live; the fleet stays on the page', async () => {
    const { dashboard, api, wizard, config } = await startTestFleet();
    await dashboard.monitor.probeNow();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.url}/`);
      await page.waitForSelector('#live[data-live="live"]', WAIT);
      expect(await page.locator('#problems').isVisible()).toBe(false);
      await markWindow(page);

      writeFileSync(config, fleetYaml(api.port, wizard.port).replace('port: ', 'prot: '));
      await dashboard.reload();
      await page.waitForSelector('#problems.has-errors', WAIT);
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a user reads
      const problems = await page.locator('#problems').innerText();
      expect(problems).toMatch(/services\.api\.prot/);
      await waitForState(page, 'api', 'up');
      expect(await stillSameWindow(page)).toBe(true);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-live-problems.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('the detail page and the badge of a target', async () => {
    const { dashboard } = await startTestFleet();
    await dashboard.monitor.probeNow();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${dashboard.url}/`);
      await page.click('#target-merlin a');
      await page.waitForSelector('#service[data-target="merlin"][data-state="up"]', WAIT);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-live-service.png`, fullPage: true });
      const badge = await page.goto(`${dashboard.url}/badge/merlin.svg`);
      expect(badge?.headers()['content-type']).toBe('image/svg+xml; charset=utf-8');
    } finally {
      await context.close();
    }
  });

  test('a ?token= link followed from another site (an alert in a chat) opens the page, and so does the next one', async () => {
    const { dashboard } = await startTestFleet({ tokens: ['browser-secret'] });
    const elsewhere = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><a id="go" href="${dashboard.url}/services/api?token=browser-secret">api</a>`);
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      // Another site: `localhost` is not `127.0.0.1`.
      await page.goto(`http://localhost:${(elsewhere.address() as AddressInfo).port}/`);
      await Promise.all([page.waitForURL(`${dashboard.url}/services/api`, WAIT), page.click('#go')]);
      await page.waitForSelector('#service[data-target="api"]', WAIT);
      // A later link from elsewhere, without the token, finds the session too.
      await page.goto(`http://localhost:${(elsewhere.address() as AddressInfo).port}/`);
      await page.evaluate((url) => {
        (document.getElementById('go') as HTMLAnchorElement).href = url;
      }, `${dashboard.url}/services/api`);
      await Promise.all([page.waitForURL(`${dashboard.url}/services/api`, WAIT), page.click('#go')]);
      await page.waitForSelector('#service[data-target="api"]', WAIT);
    } finally {
      await context.close();
      elsewhere.close();
    }
  });
});
