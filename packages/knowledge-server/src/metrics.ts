import type { SyncStatus } from '@fleet/sdk';
import type { KnowledgeDB } from '@fleet/sdk/stores';
import { Gauge, type Registry } from 'prom-client';

/** How long one snapshot serves a scrape: several gauges read it, so it is computed once per scrape. */
const SNAPSHOT_TTL_MS = 1000;

type PeerStatus = SyncStatus['peers'][number];

/** Caches a computation for {@link SNAPSHOT_TTL_MS}. */
function snapshot<T>(compute: () => T): () => T {
  let last: { at: number; value: T } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > SNAPSHOT_TTL_MS) last = { at: now, value: compute() };
    return last.value;
  };
}

/**
 * Registers the knowledge gauges on a server's registry, read from the database at scrape time:
 * live facts, tombstones and expired facts stored, the local feed position, and per peer the lag (changes and
 * seconds it has not acknowledged), conflicts lost to it and consecutive sync failures.
 */
export function registerKnowledgeMetrics(registry: Registry, db: KnowledgeDB): void {
  const status = snapshot(() => db.syncStatus());
  const stats = snapshot(() => db.stats());

  const single = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  single('fleet_knowledge_facts', 'Live facts stored (expired ones excluded)', () => stats().facts);
  single('fleet_knowledge_tombstones', 'Tombstones (deleted facts) kept for peers', () => stats().tombstones);
  single('fleet_knowledge_expired_facts', 'Expired facts not collected yet', () => stats().expired);
  single('fleet_knowledge_seq', "This node's latest changes feed position", () => status().seq);
  single(
    'fleet_knowledge_conflicts_lost',
    'Local writes overwritten by changes from peers',
    () => status().conflictsLost,
  );

  const perPeer = (name: string, help: string, pick: (peer: PeerStatus) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['peer'],
      registers: [registry],
      collect() {
        this.reset();
        for (const peer of status().peers) {
          const value = pick(peer);
          if (value !== null) this.set({ peer: peer.peer }, value);
        }
      },
    });
  perPeer('fleet_knowledge_peer_lag_facts', 'Local changes the peer has not acknowledged', (p) => p.lagFacts);
  perPeer(
    'fleet_knowledge_peer_lag_seconds',
    'How long the peer has been behind: since it was last in step with this node (0 when it has every change)',
    (p) => p.lagSeconds,
  );
  perPeer(
    'fleet_knowledge_peer_conflicts_lost',
    "Local writes overwritten by the peer's changes",
    (p) => p.conflictsLost,
  );
  perPeer(
    'fleet_knowledge_peer_consecutive_failures',
    'Sync attempts with the peer that failed in a row',
    (p) => p.consecutiveFailures,
  );
  perPeer('fleet_knowledge_peer_last_success_timestamp_seconds', 'When the last sync with the peer succeeded', (p) =>
    p.lastSuccessAt === null ? null : Date.parse(p.lastSuccessAt) / 1000,
  );
}
