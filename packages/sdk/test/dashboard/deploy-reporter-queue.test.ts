import { type RunningDashboardServer, startDashboardServer } from '@fleet/dashboard';
import { afterEach, describe, expect, test } from 'vitest';
import { parseFleet } from '../../src/fleet/index.ts';
import { DashboardClient, dashboardDeployReporter, isFleetHttpError } from '../../src/index.ts';
import { yaml } from '../fleet/_fleet.ts';
import { runEvents } from '../monitor/_deploy-events.ts';

const TOKEN = 'deploy-queue-token';
/** Nothing listens there: a post fails at once with a connection error, which is worth retrying. */
const UNREACHABLE = 'http://127.0.0.1:9';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real dashboard over host `web1` (its target is never probed). */
async function startDashboard(): Promise<RunningDashboardServer> {
  const { value: fleet } = parseFleet(
    yaml(
      'version: 1',
      'hosts:',
      '  web1: { address: 127.0.0.1 }',
      'services:',
      '  api: { kind: custom, host: web1, port: 9 }',
    ),
    { env: {} },
  );
  const dashboard = await startDashboardServer({
    fleet: fleet!,
    port: 0,
    db: ':memory:',
    probe: false,
    tokens: [TOKEN],
  });
  cleanups.push(() => dashboard.close());
  return dashboard;
}

/** One post the reporter made: its events, and whether the dashboard accepted them. */
interface Post {
  events: Parameters<DashboardClient['postDeployEvents']>[0]['events'];
  ok: boolean;
}

/**
 * Posts through a real {@link DashboardClient} to `url` with `token` (both may change between posts)
 * and records each post. `holdNext()` keeps the next post's answer (result or error) from the reporter
 * until the test lets it go, so that events arrive while that post is in flight.
 */
function holdingClient(url: string, token = TOKEN) {
  const posts: Post[] = [];
  let gate: { reached(): void; released: Promise<void> } | undefined;
  const client = {
    url,
    token,
    posts,
    async postDeployEvents(...args: Parameters<DashboardClient['postDeployEvents']>) {
      const post: Post = { events: [...args[0].events], ok: false };
      posts.push(post);
      try {
        const answer = await new DashboardClient({ url: client.url, token: client.token, retry: 0 }).postDeployEvents(
          ...args,
        );
        post.ok = true;
        return answer;
      } finally {
        const held = gate;
        gate = undefined;
        if (held) {
          held.reached();
          await held.released;
        }
      }
    },
    /** Holds the next post's answer; resolves, once that post has its answer, to the function that lets it go. */
    holdNext(): Promise<() => void> {
      return new Promise((resolveHeld) => {
        let release!: () => void;
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        gate = { reached: () => resolveHeld(release), released };
      });
    },
  };
  return client;
}

describe('the reporter queue while a post is in flight', () => {
  test('a full queue delivered once the dashboard is back loses none of the events that arrive during that post', async () => {
    const dashboard = await startDashboard();
    const client = holdingClient(UNREACHABLE);
    const errors: unknown[] = [];
    const reporter = dashboardDeployReporter(client, {
      run: { trigger: 'cli' },
      maxPending: 4,
      onError: (error) => errors.push(error),
    });
    const events = runEvents('r1', ['web1']);
    expect(events).toHaveLength(8);
    // The dashboard is down: the first four wait, which is maxPending.
    for (const event of events.slice(0, 4)) reporter.onEvent(event);
    await reporter.flush();
    expect(errors.length).toBeGreaterThan(0);
    expect(client.posts.some((post) => post.ok)).toBe(false);

    client.url = dashboard.url;
    const held = client.holdNext();
    const flushing = reporter.flush();
    const release = await held;
    // The dashboard has the four; four more arrive before its answer does.
    for (const event of events.slice(4)) reporter.onEvent(event);
    release();
    await flushing;
    await reporter.flush();

    expect(client.posts.filter((post) => post.ok).map((post) => post.events)).toEqual([
      events.slice(0, 4),
      events.slice(4),
    ]);
    expect((await new DashboardClient({ url: dashboard.url, token: TOKEN }).deploys()).runs).toMatchObject([
      { id: 'r1', status: 'changed', hosts: [{ host: 'web1', status: 'changed' }] },
    ]);
  });

  test('a batch the dashboard refuses is dropped, and only it: what arrived during that post is sent next', async () => {
    const dashboard = await startDashboard();
    const client = holdingClient(dashboard.url, 'wrong');
    const errors: unknown[] = [];
    const reporter = dashboardDeployReporter(client, {
      run: { trigger: 'cli' },
      maxPending: 4,
      onError: (error) => errors.push(error),
    });
    const events = runEvents('r1', ['web1']);
    const held = client.holdNext();
    reporter.onEvent(events[0]!);
    const release = await held;
    for (const event of events.slice(1, 5)) reporter.onEvent(event);
    release();
    await reporter.flush();

    expect(client.posts.map((post) => post.events)).toEqual([events.slice(0, 1), events.slice(1, 5)]);
    expect(errors).toHaveLength(2);
    expect(errors.every((error) => isFleetHttpError(error) && error.code === 'unauthorized')).toBe(true);
  });

  test('a batch that failed goes back ahead of what arrived meanwhile, and beyond maxPending the oldest are dropped', async () => {
    const dashboard = await startDashboard();
    const client = holdingClient(UNREACHABLE);
    const reporter = dashboardDeployReporter(client, { run: { trigger: 'cli' }, maxPending: 4 });
    const events = runEvents('r1', ['web1']);
    const held = client.holdNext();
    reporter.onEvent(events[0]!);
    const release = await held;
    for (const event of events.slice(1, 4)) reporter.onEvent(event);
    client.url = dashboard.url;
    release();
    await reporter.flush();
    expect(client.posts.map((post) => [post.events, post.ok])).toEqual([
      [events.slice(0, 1), false],
      [events.slice(0, 4), true],
    ]);

    // Four arrive while the next one fails: five is one too many, and the oldest, the failed one, goes.
    client.url = UNREACHABLE;
    const heldAgain = client.holdNext();
    reporter.onEvent(events[4]!);
    const releaseAgain = await heldAgain;
    const later = runEvents('r1', ['web1'], {}, 10).slice(2, 6);
    for (const event of later) reporter.onEvent(event);
    client.url = dashboard.url;
    releaseAgain();
    await reporter.flush();
    expect(client.posts.slice(2).map((post) => [post.events, post.ok])).toEqual([
      [events.slice(4, 5), false],
      [later, true],
    ]);
  });
});
