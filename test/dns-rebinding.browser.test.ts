import { startBusServer } from '@fleet/bus-server';
import { hasChromium, launchChromium } from '@fleet/test-utils/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// DNS rebinding: a page on the attacker's domain, which then resolves to 127.0.0.1. To the browser
// the bus is now same-origin with the page (no CORS, no cross-site headers), so only the Host the
// browser sends, the attacker's name, tells the two apart. Chromium's resolver maps the name here.
const REBOUND = 'rebound.test';

/** What the page reads and writes, same-origin, from wherever it was loaded. */
async function attack(page: Page): Promise<number[]> {
  return page.evaluate(async () => {
    const poll = await fetch('/messages?to=worker');
    const send = await fetch('/message', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'evil', to: 'worker', payload: 'forged' }),
    });
    return [poll.status, send.status];
  });
}

describe.skipIf(!hasChromium())('a page whose domain was rebound to the address of a bus without tokens', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium([`--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('cannot poll or send (403 host_not_allowed); the same page from 127.0.0.1 can', async () => {
    const bus = await startBusServer({ db: ':memory:', host: '127.0.0.1', port: 0 });
    try {
      await fetch(`${bus.url}/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'ops', to: 'worker', payload: 'kept' }),
      });
      const page = await browser.newPage();
      await page.goto(`http://${REBOUND}:${bus.port}/health`);
      expect(await attack(page)).toEqual([403, 403]);
      const stats = (await (await fetch(`${bus.url}/queue`)).json()) as {
        recipients: Array<{ agent: string; ready: number }>;
      };
      expect(stats.recipients.map((r) => [r.agent, r.ready])).toEqual([['worker', 1]]);

      // The operator's own browser on the bus's address is served (the setup reaches the bus).
      await page.goto(`${bus.url}/health`);
      expect(await attack(page)).toEqual([200, 201]);
    } finally {
      await bus.close();
    }
  });
});
