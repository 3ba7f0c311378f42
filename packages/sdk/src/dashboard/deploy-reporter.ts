import { FleetHttpError } from '../client/errors.ts';
import type { DeployRunEvent } from '../deploy/rollout-event.ts';
import type { DashboardClient } from './dashboard-client.ts';
import type { DeployRunInfo } from './deploy-status.ts';

/** Options of {@link dashboardDeployReporter}. */
export interface DashboardDeployReporterOptions {
  /**
   * Who started the run and what it deploys. `id` and `mode` may be left out: they are taken from
   * the run's `run_started` event (events before it wait for it).
   * @example { trigger: 'webhook', commit: 'ab12cd3', user: 'deploy-hook' }
   */
  run: Omit<DeployRunInfo, 'id' | 'mode'> & Partial<Pick<DeployRunInfo, 'id' | 'mode'>>;
  /** Time limit of one post, in ms: a slow dashboard never holds a deploy up for long. @default 2000 */
  timeoutMs?: number;
  /**
   * Most events kept waiting while the dashboard is unreachable; beyond it the oldest are dropped.
   * A batch in flight is not counted: it leaves the queue when it is sent, and comes back to its
   * front (within this limit) only if the post failed in a way worth retrying. @default 5000
   */
  maxPending?: number;
  /**
   * Hears of a post that failed. Events the dashboard refused (4xx) are dropped; otherwise they
   * stay queued for the next post. @default ignore
   */
  onError?: (error: unknown) => void;
}

/** A best-effort forwarder of a deploy's events to a dashboard. */
export interface DashboardDeployReporter {
  /** Queues `event` and posts it soon; never throws and never waits (pass it as the deploy's `onEvent`). */
  onEvent(event: DeployRunEvent): void;
  /** Posts what is still queued (one last try) and waits for it; never rejects. */
  flush(): Promise<void>;
}

/** At most this many events per post (the contract's limit). */
const MAX_BATCH = 1000;

/**
 * Forwards a deploy's events to a dashboard (`POST /api/deploys/events`), so that it shows the run
 * live and its hosts' targets as `deploying` instead of down. Best effort: posts go one at a time
 * in the background, what arrives meanwhile goes in the next post, and a dashboard that is down or
 * refuses never fails or slows the deploy (the events wait for the next post, within `maxPending`).
 *
 * @example
 * const reporter = dashboardDeployReporter(new DashboardClient({ url, token }), { run: { trigger: 'cli' } });
 * const result = await deploy({ config, mode: 'apply', onEvent: reporter.onEvent });
 * await reporter.flush();
 */
export function dashboardDeployReporter(
  client: Pick<DashboardClient, 'postDeployEvents'>,
  options: DashboardDeployReporterOptions,
): DashboardDeployReporter {
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxPending = options.maxPending ?? 5000;
  let id = options.run.id;
  let mode = options.run.mode;
  /** Events not sent yet, oldest first; a batch in flight is out of it. */
  const pending: DeployRunEvent[] = [];
  let sending: Promise<void> | undefined;

  /** Drops the oldest waiting events beyond `maxPending`. */
  function trim(): void {
    if (pending.length > maxPending) pending.splice(0, pending.length - maxPending);
  }

  async function post(): Promise<void> {
    while (pending.length > 0 && id !== undefined && mode !== undefined) {
      // Taken out while in flight, so that what arrives meanwhile, and the trimming it causes, only
      // touch events not sent yet, and a success removes exactly what was sent.
      const batch = pending.splice(0, MAX_BATCH);
      try {
        await client.postDeployEvents({ run: { ...options.run, id, mode }, events: batch }, { timeoutMs });
      } catch (error) {
        options.onError?.(error);
        // A refusal (a wrong token, events the dashboard does not accept) would be refused again:
        // drop the batch. Anything else (unreachable, 5xx, 429) puts it back for the next post,
        // ahead of what arrived meanwhile; the oldest go if that is more than `maxPending`.
        const refused = error instanceof FleetHttpError && error.status < 500 && error.status !== 429;
        if (!refused) {
          pending.unshift(...batch);
          trim();
          return;
        }
      }
    }
  }

  function send(): Promise<void> {
    sending ??= post().finally(() => {
      sending = undefined;
    });
    return sending;
  }

  return {
    onEvent(event) {
      if (event.type === 'run_started') {
        id ??= event.runId;
        mode ??= event.mode;
      }
      pending.push(event);
      trim();
      // A post in flight picks up what arrived meanwhile when it finishes (the loop in post()).
      void send();
    },
    async flush() {
      await sending;
      await send();
    },
  };
}
