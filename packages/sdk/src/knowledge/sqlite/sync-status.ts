import { toIso } from '../../internal/iso-time.ts';
import type { PeerSyncStatus } from '../../schemas/sync.ts';
import type { PeerBook } from './peer-book.ts';
import type { Statements } from './statements.ts';

const isoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms));

/**
 * The sync state of every registered peer plus the ids in `extraUrls` (which also override a
 * stored url), by id. A peer's lag is this node's feed after what it has seen: the larger of the
 * position it acknowledged via push and the one it pulled from.
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
        lagSeconds: oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000),
        conflictsLost: state.conflictsLost,
      };
    });
}
