import { createServer, type Server } from 'node:http';
import { startBusServer } from '@fleet/bus-server';
import { hasChromium, launchChromium } from '@fleet/test-utils/chromium';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// A bus on loopback without tokens is reachable from every page open in a browser on the machine.
// A body without Content-Type (a beacon, a no-cors fetch of bytes) needs no CORS preflight, and an
// <img> can GET anything: the server itself must refuse what a browser sends for another site.

/** The attacker's page: every way a page may write to another origin without a preflight. */
function attackPage(bus: string): string {
  const forged = JSON.stringify({ from: 'evil', to: 'worker', payload: 'forged' });
  return `<!doctype html><title>elsewhere</title><script>
    const bytes = new TextEncoder().encode(${JSON.stringify(forged)});
    navigator.sendBeacon(${JSON.stringify(`${bus}/message`)}, bytes);
    fetch(${JSON.stringify(`${bus}/message`)}, { method: 'POST', mode: 'no-cors', body: bytes });
    fetch(${JSON.stringify(`${bus}/deadletter/purge`)}, { method: 'POST', mode: 'no-cors', body: new TextEncoder().encode('{"agent":"worker"}') });
    const img = new Image();
    img.src = ${JSON.stringify(`${bus}/messages?to=worker`)};
  </script>`;
}

/** The bus's count of answers with `status` to `method route`, from its own /metrics. */
async function answered(bus: string, method: string, route: string, status: number): Promise<number> {
  const text = await (await fetch(`${bus}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`fleet_http_requests_total{method="${method}",route="${route}",status="${status}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe.skipIf(!hasChromium())('a page of another site against a bus without tokens', () => {
  let browser: Browser;
  let site: Server;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    site?.close();
  });

  test('cannot send, purge or poll: each request is refused (403) and the queue is as it was', async () => {
    const bus = await startBusServer({ db: ':memory:', host: '127.0.0.1', port: 0 });
    try {
      const sent = await fetch(`${bus.url}/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'ops', to: 'worker', payload: 'kept' }),
      });
      expect(sent.status).toBe(201);
      site = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(attackPage(bus.url));
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      const { port } = site.address() as { port: number };
      const page = await browser.newPage();
      // Another origin (and site: `localhost` is not `127.0.0.1`).
      await page.goto(`http://localhost:${port}/`);
      await expect
        .poll(
          async () => [
            await answered(bus.url, 'POST', '/message', 403),
            await answered(bus.url, 'POST', '/deadletter/purge', 403),
            await answered(bus.url, 'GET', '/messages', 403),
          ],
          { timeout: 20_000 },
        )
        .toEqual([2, 1, 1]);
      expect(await answered(bus.url, 'POST', '/message', 201)).toBe(1);
      const stats = (await (await fetch(`${bus.url}/queue`)).json()) as {
        recipients: Array<{ agent: string; ready: number }>;
      };
      expect(stats.recipients.map((r) => [r.agent, r.ready])).toEqual([['worker', 1]]);
    } finally {
      await bus.close();
    }
  });
});
