import { FleetError } from '../errors.ts';
import { backoffDelay } from '../internal/backoff.ts';
import type { Peer } from '../schemas/peer.ts';
import type { PeerSyncResult } from '../schemas/sync.ts';
import type { KnowledgeClient } from './knowledge-client.ts';
import { BackgroundSync } from './sync/background-sync.ts';
import { checkPeerUrl } from './sync/check-peer-url.ts';
import { describeSyncError } from './sync/describe-error.ts';
import { FeedIdRefusals } from './sync/feed-id-refusals.ts';
import { type ResolvedSyncOptions, resolveSyncOptions, type SyncEngineOptions } from './sync/options.ts';
import { inThreadPuller, type PagePuller, PullWorker, pullWorkerAvailable } from './sync/page-puller.ts';
import type { PeerSyncContext } from './sync/peer-sync-context.ts';
import { pullFromPeer } from './sync/pull.ts';
import { pushToPeer } from './sync/push.ts';
import { PushBudgets } from './sync/push-budget.ts';
import { pushDespitePullFailure } from './sync/push-despite-pull.ts';

/**
 * Keeps a knowledge node in sync with its registered peers (`db.peers()`), talking to them only
 * through `KnowledgeClient`.
 *
 * One attempt with a peer pulls the peer's changes after the stored cursor, page by page (half a
 * `batchSize` each), applying each page and its cursor in one transaction while the next page is
 * on its way (a crash re-fetches at most those two pages: one batch), then pushes the local
 * changes the peer has not acknowledged (a push the peer refuses as too large is cut in half and
 * sent again, and the peer keeps the smaller size, tried at full size again 10 minutes after its
 * last refusal). When the peer answers `resync_required`, the
 * whole feed is pulled again and the facts it deleted meanwhile are deleted here too. Peers sync
 * concurrently and independently; a failed attempt backs the peer off exponentially (its
 * `nextAttemptAt`) without delaying the others. A second request to sync a peer while an attempt
 * with it runs joins that attempt.
 *
 * @example
 * ```ts
 * const db = new KnowledgeDB({ path: './node.db' });
 * db.addPeer({ id: 'ezra', url: 'http://ezra:8651' });
 * const engine = new SyncEngine({ db, intervalMs: 5000 });
 * engine.start();
 * const results = await engine.syncAll(); // now, on demand
 * await engine.stop();
 * ```
 */
export class SyncEngine {
  readonly #options: ResolvedSyncOptions;
  /** What each peer accepts per push request, learned from its 413 answers (kept across attempts). */
  readonly #pushBudgets: PushBudgets;
  /** The peers that refused `feedId` in a pull (kept across attempts). */
  readonly #feedIdRefusals = new FeedIdRefusals();
  readonly #inflight = new Map<string, Promise<PeerSyncResult>>();
  /** The background schedule (`start()`): each peer on its own, none waiting for another. */
  readonly #background: BackgroundSync;
  #abort = new AbortController();
  /** Sends and decodes pulls off the event loop; started by the first attempt, stopped by stop(). */
  #pullWorker: PullWorker | undefined;

  constructor(options: SyncEngineOptions) {
    this.#options = resolveSyncOptions(options);
    this.#pushBudgets = new PushBudgets(this.#options.maxPushBytes);
    this.#background = new BackgroundSync({
      intervalMs: this.#options.intervalMs,
      duePeers: () => this.#duePeers(),
      inFlight: (peerId) => this.#inflight.has(peerId),
      sync: (peer) => this.#join(peer),
      logger: this.#options.logger,
    });
  }

  /** Whether background rounds are running (between `start()` and `stop()`). */
  get running(): boolean {
    return this.#background.running;
  }

  /**
   * Starts background syncing: a round now, then one every `intervalMs`. A round starts an attempt
   * with each peer that is not backing off, not in flight and not resting, and waits for none of
   * them: a peer rests `intervalMs` after its attempt ends, then goes again, so a peer that never
   * answers holds up no other. Does nothing when already started. The timers do not keep the
   * process alive on their own.
   */
  start(): void {
    this.#background.start();
  }

  /**
   * Stops background rounds and aborts the attempts in flight (an aborted attempt is not counted
   * as a failure of the peer); resolves once they have all settled. `start()` may be called again.
   */
  async stop(): Promise<void> {
    this.#background.stop();
    this.#abort.abort(new FleetError('unavailable', 'the sync engine stopped'));
    await Promise.allSettled([...this.#inflight.values()]);
    this.#abort = new AbortController();
    const worker = this.#pullWorker;
    this.#pullWorker = undefined;
    await worker?.close();
  }

  /**
   * Syncs with every registered peer now, concurrently, backing off or not; resolves with one
   * result per peer (failures are results with `ok: false`, never a rejection).
   */
  syncAll(): Promise<PeerSyncResult[]> {
    return Promise.all(this.#options.db.peers().map((peer) => this.#join(peer)));
  }

  /**
   * Syncs with the registered peers whose backoff has run out, joining the attempts in flight, and
   * resolves when all have ended (a background round starts the same attempts but waits for none).
   */
  syncDue(): Promise<PeerSyncResult[]> {
    return Promise.all(this.#duePeers().map((peer) => this.#join(peer)));
  }

  /**
   * Syncs with one registered peer now, backing off or not; joins the attempt already running for
   * it, if any. Rejects with `FleetError('not_found')` when no peer has this id.
   */
  syncPeer(peerId: string): Promise<PeerSyncResult> {
    const running = this.#inflight.get(peerId);
    if (running) return running;
    const peer = this.#options.db.peers().find((candidate) => candidate.id === peerId);
    if (!peer) {
      return Promise.reject(new FleetError('not_found', `no peer ${peerId}`, { details: { field: 'id' } }));
    }
    return this.#join(peer);
  }

  /** The registered peers whose backoff has run out. */
  #duePeers(): Peer[] {
    const { db, now } = this.#options;
    const time = now();
    return db.peers().filter((peer) => {
      const { nextAttemptAt } = db.peerState(peer.id);
      return nextAttemptAt === null || nextAttemptAt <= time;
    });
  }

  #join(peer: Peer): Promise<PeerSyncResult> {
    const running = this.#inflight.get(peer.id);
    if (running) return running;
    const attempt = this.#attempt(peer).finally(() => this.#inflight.delete(peer.id));
    this.#inflight.set(peer.id, attempt);
    return attempt;
  }

  async #attempt(peer: Peer): Promise<PeerSyncResult> {
    const { db, batchSize, clientFor, logger, now } = this.#options;
    const signal = this.#abort.signal;
    const progress = { pulled: 0, pushed: 0 };
    try {
      checkPeerUrl(peer);
      const client = clientFor(peer);
      const context: PeerSyncContext = {
        db,
        peer,
        client,
        puller: this.#pullerFor(peer, client),
        batchSize,
        pullPageSize: Math.max(1, Math.floor(batchSize / 2)),
        pushBudgets: this.#pushBudgets,
        feedIdRefusals: this.#feedIdRefusals,
        now,
        signal,
        progress,
        log: (message) => logger?.warn(`knowledge sync: ${message}`),
      };
      const pullError = await pullFromPeer(context).then(
        () => undefined,
        (error: unknown) => {
          if (!pushDespitePullFailure(error, signal)) throw error;
          return { error };
        },
      );
      await this.#push(context, pullError !== undefined);
      // The pull's refusal is the attempt's outcome even when the push went through.
      if (pullError) throw pullError.error;
      db.recordSyncOutcome(peer.id, { ok: true });
      return { peer: peer.id, ok: true, ...progress, error: null };
    } catch (error) {
      const message = describeSyncError(signal.aborted ? signal.reason : error, this.#tokenOf(peer));
      if (!signal.aborted) this.#recordFailure(peer, message);
      return { peer: peer.id, ok: false, ...progress, error: message };
    }
  }

  /** The peer's token, to keep out of error messages; none when the database cannot tell (closed). */
  #tokenOf(peer: Peer): string | undefined {
    try {
      return this.#options.db.peerToken(peer.id);
    } catch {
      return undefined;
    }
  }

  /**
   * Pushes to the peer. After a refused pull, a failed push is only logged: the pull's refusal
   * stays the attempt's outcome, as it keeps failing until the peer's data changes.
   */
  async #push(context: PeerSyncContext, afterRefusedPull: boolean): Promise<void> {
    if (!afterRefusedPull) return pushToPeer(context);
    try {
      await pushToPeer(context);
    } catch (error) {
      if (context.signal.aborted) throw error;
      const message = describeSyncError(error, context.db.peerToken(context.peer.id));
      context.log(`push to peer ${context.peer.id} after a refused pull failed too: ${message}`);
    }
  }

  /** A worker-thread puller for `peer` when possible, else pulls through `client` in this thread. */
  #pullerFor(peer: Peer, client: KnowledgeClient): PagePuller {
    const { pullInWorker, peerTarget } = this.#options;
    if (!pullInWorker || !pullWorkerAvailable()) return inThreadPuller(client);
    this.#pullWorker ??= new PullWorker();
    return this.#pullWorker.pullerFor(peerTarget(peer));
  }

  #recordFailure(peer: Peer, message: string): void {
    const { db, now, random, backoffBaseMs, backoffMaxMs, logger } = this.#options;
    try {
      const failures = db.peerState(peer.id).consecutiveFailures + 1;
      const waitMs = Math.round(backoffDelay(failures, backoffBaseMs, backoffMaxMs, random));
      db.recordSyncOutcome(peer.id, { ok: false, error: message, nextAttemptAt: now() + waitMs });
      logger?.warn(
        `knowledge sync with peer ${peer.id} (${peer.url}) failed ${failures} time(s) in a row: ${message}; next background attempt in ${waitMs} ms`,
      );
    } catch (error) {
      // The database is gone (closing): nothing left to record the failure in.
      logger?.warn(
        `knowledge sync with peer ${peer.id} failed (${message}) and could not be recorded: ${String(error)}`,
      );
    }
  }
}
