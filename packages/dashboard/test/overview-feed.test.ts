import { FleetMonitor, parseFleet } from '@fleet/sdk/fleet';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { DashboardView, type FleetSnapshot } from '../src/dashboard-view.ts';
import { OverviewFeed } from '../src/overview-feed.ts';
import { fleetYaml, onCleanup } from './_dashboard.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** A feed over a real monitor that never probes: changes come from `view.setFleet`. */
function feedOf(intervalMs: number, statusRebuildMs = 0) {
  const fleet = parseFleet(fleetYaml(1, 2)).value;
  const snapshot: FleetSnapshot = { fleet, file: 'fleet.yaml', problems: [] };
  const monitor = new FleetMonitor({ targets: [], dbPath: ':memory:', rollupIntervalMs: 0 });
  const view = new DashboardView({ monitor, snapshot, statusRebuildMs });
  let renders = 0;
  const feed = new OverviewFeed(view, {
    intervalMs,
    render: ({ version }) => {
      renders += 1;
      return `<main id="overview" data-version="${version}"></main>`;
    },
  });
  const stop = new AbortController();
  onCleanup(() => {
    stop.abort();
    feed.close();
    view.close();
    monitor.close();
  });
  return { view, feed, snapshot, stop, renders: () => renders };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => Promise.resolve());

describe('OverviewFeed', () => {
  test('sends the current overview on subscribe, then coalesces a burst of changes into one update per interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { view, feed, snapshot, stop, renders } = feedOf(1000);
    const events = feed.subscribe(stop.signal);
    expect((await events.next()).value).toEqual({ html: '<main id="overview" data-version="1"></main>' });
    expect(feed.subscribers).toBe(1);

    // Nothing was sent yet, so the first burst goes out on the next tick, as one update.
    for (let i = 0; i < 10; i++) view.setFleet(snapshot);
    await vi.advanceTimersByTimeAsync(0);
    expect((await events.next()).value).toEqual({ html: '<main id="overview" data-version="2"></main>' });

    // The next burst waits for the interval, then goes out as one update of the latest status.
    for (let i = 0; i < 10; i++) view.setFleet(snapshot);
    const pending = events.next();
    let delivered = false;
    void pending.then(() => {
      delivered = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    await settle();
    expect(delivered).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pending).value).toEqual({ html: '<main id="overview" data-version="3"></main>' });
    expect(renders()).toBe(3);
  });

  test('a page that stops reading is not queued old overviews: it gets the newest one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { view, feed, snapshot, stop } = feedOf(100);
    const events = feed.subscribe(stop.signal);
    await events.next();
    for (let round = 0; round < 5; round++) {
      view.setFleet(snapshot);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect((await events.next()).value).toEqual({ html: '<main id="overview" data-version="6"></main>' });
  });

  test('pages connecting while the cached status is behind a change get it with the next update, one rebuild for all', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    // Reads within a minute of a build answer from the cache.
    const { view, feed, snapshot, stop, renders } = feedOf(100, 60_000);
    expect(view.status().version).toBe(1);
    // A change while no page is connected: nothing to send it to yet.
    view.setFleet(snapshot);
    await vi.advanceTimersByTimeAsync(1000);

    const pages = Array.from({ length: 10 }, () => feed.subscribe(stop.signal));
    for (const events of pages) {
      expect((await events.next()).value).toEqual({ html: '<main id="overview" data-version="1"></main>' });
    }
    const updates = pages.map((events) => events.next());
    let delivered = 0;
    for (const update of updates) void update.then(() => (delivered += 1));
    await vi.advanceTimersByTimeAsync(100);
    await settle();
    expect(delivered).toBe(10);
    for (const update of updates) {
      expect((await update).value).toEqual({ html: '<main id="overview" data-version="2"></main>' });
    }
    expect(renders()).toBe(2);
  });

  test('aborting the signal ends the subscription and forgets the subscriber', async () => {
    const { feed, stop } = feedOf(100);
    const events = feed.subscribe(stop.signal);
    await events.next();
    const waiting = events.next();
    stop.abort();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(feed.subscribers).toBe(0);
  });
});
