import type { Peer } from '../../schemas/peer.ts';
import { MAX_CHANGE_BATCH } from '../../schemas/sync.ts';
import type { KnowledgeClient } from '../knowledge-client.ts';
import type { KnowledgeDB } from '../knowledge-db.ts';
import { type PullTarget, peerClient } from './peer-client.ts';

/** Where the sync engine reports failed attempts and resyncs (a `console`, a consola instance, ...). */
export type SyncLogger = Pick<Console, 'warn'>;

/** How long a peer is left alone after failed attempts: exponential, with jitter, per peer. */
export interface SyncBackoffOptions {
  /**
   * Ceiling of the wait after the first failure, in ms; it doubles with each failure in a row.
   * @default 1000
   */
  baseMs?: number;
  /**
   * Largest wait, in ms.
   * @default 300000
   */
  maxMs?: number;
}

/** Options of {@link SyncEngine}. */
export interface SyncEngineOptions {
  /** The local node: its facts, feed, peers and sync cursors. */
  db: KnowledgeDB;
  /**
   * The most changes a crash can make a pull send again, and the local changes read per push
   * round (a push request is also cut at {@link maxPushBytes}). At most 5,000. Pulls ask for half
   * a batch per request, with two in flight (the page being written and the one requested ahead),
   * so a crash re-sends at most one batch. Each pulled page is applied in one transaction, and
   * most of a transaction's cost is rewriting the index pages it touched, so larger pages cost less
   * per change (pages of 2,500 cost about 2% more than pages of 5,000 in an initial sync of 100,000
   * facts; 2,000 about 20% more than 5,000, and 500 about 20% more than 2,000); a page of 2,500
   * holds the event loop for roughly 30-50 ms while it is written.
   * @default 5000
   */
  batchSize?: number;
  /**
   * Pause between two background attempts with a peer (`start()`), in ms, counted from the end of
   * its last one: each peer goes on its own schedule, so a slow or hung peer delays no other. A
   * round every `intervalMs` also picks up new peers and those whose backoff has run out.
   * @default 10000
   */
  intervalMs?: number;
  /**
   * Backoff of a peer after failed attempts. Background rounds skip a peer until its
   * `nextAttemptAt`; `syncAll()` and `syncPeer()` try it regardless.
   * @default { baseMs: 1000, maxMs: 300000 }
   */
  backoff?: SyncBackoffOptions;
  /**
   * Timeout of each request to a peer, in ms, for the default clients (one slow peer never holds
   * up the others: peers sync concurrently, each with its own requests).
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * Largest push request body, in bytes of JSON: the upper bound of every peer's push budget. A
   * peer that refuses a push as too large (413: its body limit is smaller) has the request cut in
   * half and sent again at once, and keeps the halved budget in this engine's later rounds, trying
   * the full size again 10 minutes after its last refusal (its limit may have been raised); a
   * single change over its limit fails the attempt with `payload_too_large` naming the peer and
   * the key.
   * @default 786432 (768 KiB, under the server's default 1 MiB limit)
   * @example 256 * 1024 // peers started with --body-limit 262144 or more
   */
  maxPushBytes?: number;
  /**
   * Makes the client used to talk to a peer, called once per sync attempt.
   * @default a KnowledgeClient on `peer.url`, with the peer's stored token, `timeoutMs` and no retries
   * @example (peer) => new KnowledgeClient({ url: peer.url, token: tokens[peer.id], timeoutMs: 5000 })
   */
  clientFor?: (peer: Peer) => KnowledgeClient;
  /**
   * Whether pulls are sent, parsed, validated and checked in a worker thread while the store
   * writes the page before (about a quarter of the receiving node's work per fact moves off its
   * event loop, and the next page is ready when a write ends). Only with the default clients
   * (no `clientFor`), and only from the built package: from the TypeScript sources, pulls run in
   * the calling thread.
   * @default true
   */
  pullInWorker?: boolean;
  /** Where failed attempts and resyncs are reported. */
  logger?: SyncLogger;
  /** Clock used for backoff, in epoch ms. @default Date.now */
  now?: () => number;
  /** Source of the backoff jitter, in [0, 1). @default Math.random */
  random?: () => number;
}

/** {@link SyncEngineOptions} with every default filled in. */
export interface ResolvedSyncOptions {
  db: KnowledgeDB;
  batchSize: number;
  intervalMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  maxPushBytes: number;
  clientFor: (peer: Peer) => KnowledgeClient;
  /** False when `clientFor` was given: pulls then go through its clients, in this thread. */
  pullInWorker: boolean;
  /** The settings of the default client for a peer (its stored token, `timeoutMs`). */
  peerTarget: (peer: Peer) => PullTarget;
  logger: SyncLogger | undefined;
  now: () => number;
  random: () => number;
}

function positive(name: string, value: number, max = Number.POSITIVE_INFINITY): number {
  if (!(value > 0 && value <= max)) throw new RangeError(`SyncEngine: ${name} must be > 0 and <= ${max}, got ${value}`);
  return value;
}

/** Fills in the defaults documented on {@link SyncEngineOptions}; throws a RangeError on a nonsensical one. */
export function resolveSyncOptions(options: SyncEngineOptions): ResolvedSyncOptions {
  const { db } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const batchSize = positive('batchSize', options.batchSize ?? 5000, MAX_CHANGE_BATCH);
  if (!Number.isInteger(batchSize)) throw new RangeError(`SyncEngine: batchSize must be an integer, got ${batchSize}`);
  const backoffBaseMs = positive('backoff.baseMs', options.backoff?.baseMs ?? 1000);
  const peerTarget = (peer: Peer): PullTarget => {
    const token = db.peerToken(peer.id);
    return { url: peer.url, timeoutMs, ...(token === undefined ? {} : { token }) };
  };
  return {
    db,
    batchSize,
    intervalMs: positive('intervalMs', options.intervalMs ?? 10_000),
    backoffBaseMs,
    backoffMaxMs: Math.max(backoffBaseMs, positive('backoff.maxMs', options.backoff?.maxMs ?? 300_000)),
    maxPushBytes: positive('maxPushBytes', options.maxPushBytes ?? 768 * 1024),
    clientFor: options.clientFor ?? ((peer) => peerClient(peerTarget(peer))),
    pullInWorker: (options.pullInWorker ?? true) && options.clientFor === undefined,
    peerTarget,
    logger: options.logger,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
}
