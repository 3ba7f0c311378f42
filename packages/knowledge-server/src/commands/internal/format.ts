import type { Fact, PeerSyncResult, SyncStatus } from '@fleet/sdk';
import { formatTable } from '@fleet/sdk/cli';

const MAX_VALUE_CHARS = 200;

function valueText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** One line for a fact: `key  value  [#tag ...]  (source version[, expires at])`. */
export function formatFact(fact: Fact): string {
  const tags = fact.tags.length > 0 ? `  ${fact.tags.map((tag) => `#${tag}`).join(' ')}` : '';
  const expires = fact.expiresAt ? `, expires ${fact.expiresAt}` : '';
  return `${fact.key}  ${valueText(fact.value)}${tags}  (${fact.source} ${fact.version}${expires})`;
}

/** The result of a sync run, one row per peer. */
export function formatSyncResults(results: readonly PeerSyncResult[]): string[] {
  if (results.length === 0) return ['no peers'];
  return formatTable([
    ['PEER', 'RESULT', 'PULLED', 'PUSHED'],
    ...results.map((r) => [
      r.peer,
      r.ok ? 'ok' : `failed: ${r.error ?? 'unknown error'}`,
      String(r.pulled),
      String(r.pushed),
    ]),
  ]);
}

/** The sync status: this node's id and feed position, then one row per peer. */
export function formatSyncStatus(status: SyncStatus): string[] {
  const head = `node ${status.nodeId}  seq ${status.seq}  conflicts lost ${status.conflictsLost}`;
  if (status.peers.length === 0) return [head, 'no peers'];
  const lag = (facts: number | null, seconds: number | null) =>
    facts === null ? '-' : `${facts}${seconds !== null && facts > 0 ? ` (${seconds.toFixed(1)}s)` : ''}`;
  return [
    head,
    ...formatTable([
      ['PEER', 'URL', 'PULLED', 'PUSHED', 'LAG', 'CONFLICTS', 'LAST SUCCESS', 'LAST ERROR'],
      ...status.peers.map((p) => [
        p.peer,
        p.url,
        String(p.lastPulledSeq),
        String(p.lastPushedSeq),
        lag(p.lagFacts, p.lagSeconds),
        String(p.conflictsLost),
        p.lastSuccessAt ?? '-',
        p.lastError ?? '-',
      ]),
    ]),
  ];
}
