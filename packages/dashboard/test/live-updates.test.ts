import { DashboardClient, type DashboardEvent } from '@fleet/sdk';
import { describe, expect, test } from 'vitest';
import { get, onCleanup, startTestFleet } from './_dashboard.ts';

/** Opens `/api/events` and returns a function that waits for the next event. */
function openEvents(url: string): () => Promise<DashboardEvent> {
  const stop = new AbortController();
  onCleanup(() => stop.abort());
  const events = new DashboardClient({ url, retry: 0 }).events({ signal: stop.signal });
  return async () => {
    const next = await events.next();
    if (next.done) throw new Error('the event stream ended');
    return next.value;
  };
}

const stateOf = (html: string, id: string) =>
  new RegExp(`<tr id="target-${id}"[^>]*data-state="(\\w+)"`).exec(html)?.[1];

describe('GET /api/events', () => {
  test('sends the current overview at once, then a new one after a target goes down and back up', async () => {
    const { dashboard, api } = await startTestFleet();
    await dashboard.monitor.probeNow();
    const next = openEvents(dashboard.url);

    const first = await next();
    expect(first.id).toBeUndefined();
    expect(first.html).toMatch(/^<main id="overview"/);
    expect(stateOf(first.html, 'api')).toBe('up');

    api.setHealthy(false);
    await dashboard.monitor.probeNow(['api']);
    let event = await next();
    // Coalescing may split a burst differently; the page ends up showing the target down.
    while (stateOf(event.html, 'api') !== 'down') event = await next();
    expect(event.html).toContain('data-title="test-fleet · 1 down"');

    api.setHealthy(true);
    await dashboard.monitor.probeNow(['api']);
    event = await next();
    while (stateOf(event.html, 'api') !== 'up') event = await next();
    expect(stateOf(event.html, 'merlin')).toBe('up');
  });

  test('every connected page gets the update, and one connecting later gets the current overview', async () => {
    const { dashboard, wizard } = await startTestFleet();
    await dashboard.monitor.probeNow();
    const pages = [openEvents(dashboard.url), openEvents(dashboard.url)];
    for (const next of pages) expect(stateOf((await next()).html, 'merlin')).toBe('up');
    wizard.setHealthy(false);
    await dashboard.monitor.probeNow(['merlin']);
    for (const next of pages) {
      let event = await next();
      while (stateOf(event.html, 'merlin') !== 'down') event = await next();
    }
    expect(stateOf((await openEvents(dashboard.url)()).html, 'merlin')).toBe('down');
  });

  test('a page that connects while the cached status is behind a change gets the change too, within the live interval', async () => {
    // A long rebuild bound: a read within a minute of the last build answers from the cache.
    const { dashboard, api } = await startTestFleet({ statusRebuildMs: 60_000, liveIntervalMs: 50 });
    await dashboard.monitor.probeNow();
    // The page load builds the status (api up); no page is connected yet.
    expect(stateOf(await (await get(dashboard, '/')).text(), 'api')).toBe('up');

    // The target fails before the page's event stream connects: the cache is behind the monitor.
    api.setHealthy(false);
    await dashboard.monitor.probeNow(['api']);
    expect(dashboard.monitor.status('api')?.state).toBe('down');

    const next = openEvents(dashboard.url);
    const seen: Array<string | undefined> = [];
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, 2000, 'timeout'));
    for (;;) {
      const event = await Promise.race([next(), timeout]);
      if (event === 'timeout') break;
      seen.push(stateOf(event.html, 'api'));
      if (seen.at(-1) === 'down') break;
    }
    // Nothing else probes: without a send of its own the page would show `up` until the next probe.
    expect(seen.at(-1)).toBe('down');
  });
});
