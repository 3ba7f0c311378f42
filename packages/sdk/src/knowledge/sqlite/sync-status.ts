import { toIso } from '../../internal/iso-time.ts';
import type { PeerSyncStatus } from '../../schemas/sync.ts';
import type { PeerBook } from './peer-book.ts';
import type { PeerStateRow, Statements } from './statements.ts';

const isoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms));

/**
 * The sync state of every registered peer plus the ids in `extraUrls` (which also override a
 * stored url), by id. A peer's lag is this node's feed after what it has seen: the larger of the
 * position it acknowledged via push and the one it pulled from; its age is {@link lagSeconds}.
 */
export function peerSyncStatuses(
  sql: Statements,
  peers: PeerBook,
  extraUrls: Readonly<Record<string, string>>,
  now: number,
): PeerSyncStatus[] {
  const urls = peers.urls();
  for (const [id, url] of Object.entries(extraUrls)) urls.set(id, url);
  return [...urls.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([peer, url]) => {
      const state = peers.row(peer);
      const pending = sql.pendingSince.get(Math.max(state.lastPushedSeq, state.pulledBySeq))!;
      const oldest = pending.first === null ? undefined : sql.versionMsAt.get(pending.first)?.vMs;
      return {
        peer,
        url,
        lastPulledSeq: state.lastPulledSeq,
        lastPushedSeq: state.lastPushedSeq,
        lastSuccessAt: isoOrNull(state.lastSuccessAt),
        lastFailureAt: isoOrNull(state.lastFailureAt),
        lastError: state.lastError,
        consecutiveFailures: state.consecutiveFailures,
        nextAttemptAt: isoOrNull(state.nextAttemptAt),
        lagFacts: pending.count,
        lagSeconds: lagSeconds(pending.count, oldest, state, peers.addedAt(peer), now),
        conflictsLost: state.conflictsLost,
      };
    });
}

/**
 * How long a peer has been behind this node, in seconds: 0 when it has every local change.
 * Otherwise the time since it was last known to be in step (the later of this node's last
 * successful sync with it, which pushes to the end of the feed, and its last pull from this node;
 * when it was registered if neither happened), and never less than the age of the oldest local
 * change it has not acknowledged. The age alone understates: the feed keeps only the newest
 * version of a key, so while a peer is unreachable, keys written again and again look seconds old.
 * In steady sync the figure can exceed the true age of the oldest change by up to a sync interval.
 */
function lagSeconds(
  lagFacts: number,
  oldestMs: number | undefined,
  state: Pick<PeerStateRow, 'lastSuccessAt' | 'pulledByAt'>,
  addedAt: number | null,
  now: number,
): number {
  if (lagFacts === 0) return 0;
  const synced = Math.max(
    state.lastSuccessAt ?? Number.NEGATIVE_INFINITY,
    state.pulledByAt ?? Number.NEGATIVE_INFINITY,
  );
  const inStepSince = Number.isFinite(synced) ? synced : addedAt;
  const since = Math.min(oldestMs ?? now, inStepSince ?? now);
  return Math.max(0, (now - since) / 1000);
}
