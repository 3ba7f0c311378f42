import type { Peer } from '../../schemas/peer.ts';
import { describeSyncError } from './describe-error.ts';
import type { SyncLogger } from './options.ts';

/** What {@link BackgroundSync} needs from the engine it drives. */
export interface BackgroundSyncHooks {
  /** Pause after a peer's background attempt, and between two rounds, in ms. */
  intervalMs: number;
  /** The registered peers whose backoff has run out (read again at each use). */
  duePeers(): Peer[];
  /** Whether an attempt with this peer runs now (started in the background or on demand). */
  inFlight(peerId: string): boolean;
  /** Starts (or joins) an attempt with `peer`; settles when it ends (a rejection is logged). */
  sync(peer: Peer): Promise<unknown>;
  logger: SyncLogger | undefined;
}

/**
 * The background schedule of a sync engine: every peer on its own. A round (one at start, then
 * one every `intervalMs`) starts the due peers that are neither in flight nor resting, and waits
 * for none of them. A peer whose background attempt ended rests `intervalMs`, then starts again at
 * once if it is due; a peer backing off is left to the rounds until its backoff runs out. So a
 * peer that never answers holds only its own attempt, until its request times out, and the
 * healthy peers keep their pace meanwhile.
 */
export class BackgroundSync {
  readonly #hooks: BackgroundSyncHooks;
  /** Peers resting after a background attempt, each with the timer that ends its rest. */
  readonly #resting = new Map<string, ReturnType<typeof setTimeout>>();
  #roundTimer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  /** Bumped by start() and stop(): an attempt of an earlier start never schedules anything. */
  #generation = 0;

  constructor(hooks: BackgroundSyncHooks) {
    this.#hooks = hooks;
  }

  /** Whether rounds are scheduled. */
  get running(): boolean {
    return this.#running;
  }

  /** Runs a round at once (on a timer), then one every `intervalMs`. Does nothing when already running. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#generation += 1;
    this.#roundTimer = this.#later(() => this.#round(), 0);
  }

  /** Cancels the next round and every rest; attempts in flight are the engine's to abort. */
  stop(): void {
    this.#running = false;
    this.#generation += 1;
    clearTimeout(this.#roundTimer);
    for (const timer of this.#resting.values()) clearTimeout(timer);
    this.#resting.clear();
  }

  #round(): void {
    try {
      for (const peer of this.#hooks.duePeers()) {
        if (!this.#hooks.inFlight(peer.id) && !this.#resting.has(peer.id)) this.#syncPeer(peer);
      }
    } catch (error) {
      // The database is gone (closing): the next round tries again, or stop() comes first.
      this.#hooks.logger?.warn(`knowledge sync round failed: ${describeSyncError(error)}`);
    }
    this.#roundTimer = this.#later(() => this.#round(), this.#hooks.intervalMs);
  }

  #syncPeer(peer: Peer): void {
    const generation = this.#generation;
    const rest = () => {
      if (generation !== this.#generation) return;
      const timer = this.#later(() => {
        this.#resting.delete(peer.id);
        this.#resume(peer.id);
      }, this.#hooks.intervalMs);
      this.#resting.set(peer.id, timer);
    };
    // An attempt that failed beyond its own bookkeeping (the database closed under it) is logged,
    // as a failed round was: never an unhandled rejection, which would end the process.
    this.#hooks.sync(peer).then(rest, (error: unknown) => {
      this.#hooks.logger?.warn(`knowledge sync with peer ${peer.id} failed: ${describeSyncError(error)}`);
      rest();
    });
  }

  /** At the end of a peer's rest: its next attempt, when it is still registered and due. */
  #resume(peerId: string): void {
    try {
      const peer = this.#hooks.duePeers().find((candidate) => candidate.id === peerId);
      if (peer && !this.#hooks.inFlight(peerId)) this.#syncPeer(peer);
    } catch {
      // The database is gone: the next round logs it.
    }
  }

  /** A timer that does not keep the process alive on its own, and fires only in this start's run. */
  #later(run: () => void, delayMs: number): ReturnType<typeof setTimeout> {
    const generation = this.#generation;
    const timer = setTimeout(() => {
      if (generation === this.#generation) run();
    }, delayMs);
    timer.unref?.();
    return timer;
  }
}
