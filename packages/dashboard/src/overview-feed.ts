import type { DashboardEvent } from '@fleet/sdk';
import type { DashboardView } from './dashboard-view.ts';
import type { CachedStatus } from './status-cache.ts';

/** Options of {@link OverviewFeed}. */
export interface OverviewFeedOptions {
  /** Renders the overview fragment of a status (`renderOverview` with the uptime bars). */
  render: (cached: CachedStatus) => string;
  /**
   * Least time between two updates sent, in ms: a burst of probes becomes one update.
   * @default 250
   */
  intervalMs?: number;
}

/** One connected page: only the newest overview matters, so a slow reader never queues old ones. */
class Subscriber {
  #pending: DashboardEvent | undefined;
  #wake: (() => void) | undefined;

  push(event: DashboardEvent): void {
    this.#pending = event;
    this.#wake?.();
  }

  async *events(signal: AbortSignal): AsyncGenerator<DashboardEvent> {
    const onAbort = () => this.#wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        if (this.#pending === undefined) {
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
          this.#wake = undefined;
          continue;
        }
        const event = this.#pending;
        this.#pending = undefined;
        yield event;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * The live updates of the dashboard page: every subscriber gets the current overview at once,
 * then a new one whenever the view changes, at most one per `intervalMs`. The overview is
 * rendered once per update and shared by every subscriber. A subscriber that connects while the
 * cached status is behind a change (it is rebuilt at most once per `statusRebuildMs`) gets the
 * cached overview at once and the newer one with the next update, within `intervalMs`.
 */
export class OverviewFeed {
  readonly #view: DashboardView;
  readonly #render: (cached: CachedStatus) => string;
  readonly #intervalMs: number;
  readonly #subscribers = new Set<Subscriber>();
  readonly #stopListening: () => void;
  #rendered: { version: number; html: string } | undefined;
  /** The version every subscriber was sent (newer ones may have had a newer one on connecting). */
  #sentVersion = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(view: DashboardView, options: OverviewFeedOptions) {
    this.#view = view;
    this.#render = options.render;
    this.#intervalMs = options.intervalMs ?? 250;
    this.#stopListening = view.onChange(() => this.#schedule());
  }

  /** Pages connected now. */
  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** The current overview, then every update, until `signal` aborts. */
  async *subscribe(signal: AbortSignal): AsyncGenerator<DashboardEvent> {
    const subscriber = new Subscriber();
    this.#subscribers.add(subscriber);
    try {
      subscriber.push({ html: this.#overview(this.#view.status()) });
      // The cache answers a change made within its rebuild bound with the build before it, and a
      // change made while no page was connected scheduled nothing: send the newer status after
      // this one, at the feed's own pace (connecting pages never rebuild more than it does).
      if (this.#view.statusDirty) this.#schedule();
      yield* subscriber.events(signal);
    } finally {
      this.#subscribers.delete(subscriber);
    }
  }

  /** Stops sending updates. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stopListening();
  }

  #schedule(): void {
    if (this.#timer || this.#subscribers.size === 0) return;
    const wait = Math.max(0, this.#lastSentAt + this.#intervalMs - Date.now());
    this.#timer = setTimeout(() => this.#send(), wait);
    this.#timer.unref();
  }

  #send(): void {
    this.#timer = undefined;
    this.#lastSentAt = Date.now();
    if (this.#subscribers.size === 0) return;
    const cached = this.#view.status(true);
    if (cached.version === this.#sentVersion) return;
    this.#sentVersion = cached.version;
    const event = { html: this.#overview(cached) };
    for (const subscriber of this.#subscribers) subscriber.push(event);
  }

  #overview(cached: CachedStatus): string {
    if (this.#rendered?.version !== cached.version) {
      this.#rendered = { version: cached.version, html: this.#render(cached) };
    }
    return this.#rendered.html;
  }
}
