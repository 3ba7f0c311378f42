import type { Peer } from '../../schemas/peer.ts';
import type { KnowledgeClient } from '../knowledge-client.ts';
import type { KnowledgeDB } from '../knowledge-db.ts';
import type { FeedIdRefusals } from './feed-id-refusals.ts';
import type { PagePuller } from './page-puller.ts';
import type { PushBudgets } from './push-budget.ts';

/** Where one sync attempt with one peer stands: what the pull and push loops share. */
export interface PeerSyncContext {
  db: KnowledgeDB;
  peer: Peer;
  client: KnowledgeClient;
  /** Pulls pages of the peer's feed and checks them (in a worker thread, with the default clients). */
  puller: PagePuller;
  /** Local changes read per push round, and the most a crash makes a pull send again. */
  batchSize: number;
  /**
   * Changes per pull request: half a batch, since two pulls are in flight at once (the page being
   * written and the one requested ahead), so a crash re-sends at most one batch.
   */
  pullPageSize: number;
  /** Bytes of changes per push request, per peer: `maxPushBytes`, halved by each 413 of the peer. */
  pushBudgets: PushBudgets;
  /** The peers that refused `feedId` in a pull (not yet upgraded): pulled without it for a while. */
  feedIdRefusals: FeedIdRefusals;
  /** The engine's clock, epoch ms. */
  now: () => number;
  /** Aborted when the engine stops. */
  signal: AbortSignal;
  /** Reports a notable event of this attempt (a resync, facts deleted by it). */
  log: (message: string) => void;
  /** Counters of this attempt, kept up to date so a failure still reports the progress made. */
  progress: { pulled: number; pushed: number };
}
