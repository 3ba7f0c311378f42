/** What one pass over a channel did. */
export interface LanePass {
  sent: number;
  retried: number;
  failed: number;
}

/** What {@link DeliveryLanes} drives. */
export interface DeliveryLanesOptions {
  /** Delivers what is due on `channel` now. */
  deliver(channel: string): Promise<LanePass>;
  /** When the next delivery to `channel` is due; null when it has none. */
  nextDueAt(channel: string): number | null;
  now(): number;
  /** Hears of a pass that threw. */
  onError(error: unknown): void;
}

interface Lane {
  running: Promise<LanePass> | null;
  /** Kicked during a pass: run once more right after it. */
  again: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * One delivery loop per channel: a channel's passes never overlap, and, once started, each
 * channel sleeps until its own next delivery is due. A channel that does not answer holds up only
 * itself.
 */
export class DeliveryLanes {
  readonly #options: DeliveryLanesOptions;
  readonly #lanes = new Map<string, Lane>();
  #started = false;

  constructor(options: DeliveryLanesOptions) {
    this.#options = options;
  }

  /** Delivers on its own from now: runs a pass on each of `channels` now. */
  start(channels: Iterable<string>): void {
    this.#started = true;
    for (const channel of channels) this.kick(channel);
  }

  /** Stops the timers; a pass running finishes on its own. */
  stop(): void {
    this.#started = false;
    for (const lane of this.#lanes.values()) clearTimeout(lane.timer);
  }

  /** Runs a pass on `channel` (after the one running, if any) and resolves with what it did. */
  async pass(channel: string): Promise<LanePass> {
    const lane = this.#lane(channel);
    while (lane.running) await lane.running.catch(() => undefined);
    const running = this.#options.deliver(channel);
    lane.running = running;
    try {
      return await running;
    } finally {
      lane.running = null;
      this.#schedule(channel, lane);
    }
  }

  /** Wakes `channel` when started: a pass now, or right after the running one. */
  kick(channel: string): void {
    if (!this.#started) return;
    const lane = this.#lane(channel);
    clearTimeout(lane.timer);
    if (lane.running) {
      lane.again = true;
      return;
    }
    this.pass(channel).catch(this.#options.onError);
  }

  #schedule(channel: string, lane: Lane): void {
    clearTimeout(lane.timer);
    if (!this.#started) return;
    if (lane.again) {
      lane.again = false;
      this.kick(channel);
      return;
    }
    const next = this.#options.nextDueAt(channel);
    if (next === null) return;
    lane.timer = setTimeout(() => this.kick(channel), Math.max(0, next - this.#options.now()));
    lane.timer.unref();
  }

  #lane(channel: string): Lane {
    let lane = this.#lanes.get(channel);
    if (!lane) {
      lane = { running: null, again: false, timer: undefined };
      this.#lanes.set(channel, lane);
    }
    return lane;
  }
}
