import { toIso } from '../../internal/iso-time.ts';
import type { Peer, PeerInput } from '../../schemas/peer.ts';
import type { PeerState, PullSnapshot } from '../knowledge-db-options.ts';
import type { PeerRow, PeerStateRow, Statements } from './statements.ts';

/** The outcome of one sync attempt with a peer. */
export type SyncOutcome = { ok: true } | { ok: false; error: string; nextAttemptAt: number };

const EMPTY_STATE: PeerStateRow = {
  lastPulledSeq: 0,
  lastPushedSeq: 0,
  pulledBySeq: 0,
  pulledByAt: null,
  conflictsLost: 0,
  lastSuccessAt: null,
  lastFailureAt: null,
  lastError: null,
  consecutiveFailures: 0,
  nextAttemptAt: null,
  pulledFeedId: null,
  pullSnapshot: null,
};

function toPeer(row: PeerRow): Peer {
  return { id: row.id, url: row.url, hasToken: row.token !== null, createdAt: toIso(row.createdAt) };
}

/** Registered peers and the per-peer sync state (`peers`, `peer_state`). Writes are single statements. */
export class PeerBook {
  readonly #sql: Statements;

  constructor(sql: Statements) {
    this.#sql = sql;
  }

  /**
   * Registers or updates a peer: url and token are replaced (no token given removes it, or keeps
   * the stored one with `keepStoredToken`); createdAt stays.
   */
  add(input: PeerInput, now: number, keepStoredToken: boolean): Peer {
    const upsert = keepStoredToken ? this.#sql.upsertPeerKeepingToken : this.#sql.upsertPeer;
    upsert.run(input.id, input.url, input.token ?? null, now);
    return toPeer(this.#sql.peer.get(input.id)!);
  }

  /** Removes a peer and its sync state; false when it was not registered. */
  remove(id: string): boolean {
    const removed = this.#sql.deletePeer.run(id).changes > 0;
    this.#sql.deletePeerState.run(id);
    return removed;
  }

  list(): Peer[] {
    return this.#sql.peers.all().map(toPeer);
  }

  /** Registered peers with their urls, by id. */
  urls(): Map<string, string> {
    return new Map(this.#sql.peers.all().map((row) => [row.id, row.url]));
  }

  /** When the peer was first registered (epoch ms); null when it is not registered. */
  addedAt(id: string): number | null {
    return this.#sql.peer.get(id)?.createdAt ?? null;
  }

  token(id: string): string | undefined {
    return this.#sql.peer.get(id)?.token ?? undefined;
  }

  /** The stored state, or zeros for a peer never synced with. */
  row(peer: string): PeerStateRow {
    return this.#sql.peerState.get(peer) ?? EMPTY_STATE;
  }

  state(peer: string): PeerState {
    const { pulledBySeq: _, pulledByAt: __, pullSnapshot, ...state } = this.row(peer);
    return { ...state, pullSnapshot: pullSnapshot === null ? null : (JSON.parse(pullSnapshot) as PullSnapshot) };
  }

  /** Stores where a snapshot pull stands (null: none runs). */
  setPullSnapshot(peer: string, snapshot: PullSnapshot | null): void {
    this.#sql.ensurePeerState.run(peer);
    this.#sql.setPullSnapshot.run(snapshot === null ? null : JSON.stringify(snapshot), peer);
  }

  /** Stores the pull cursor, and the id of the feed it belongs to when known. */
  setPulled(peer: string, seq: number, feedId: string | undefined): void {
    this.#sql.ensurePeerState.run(peer);
    this.#sql.setPulled.run(seq, feedId ?? null, peer);
  }

  recordPushed(peer: string, seq: number): void {
    this.#sql.ensurePeerState.run(peer);
    this.#sql.setPushed.run(seq, peer);
  }

  recordPulledBy(peer: string, since: number, now: number): void {
    this.#sql.ensurePeerState.run(peer);
    this.#sql.setPulledBy.run(since, now, peer);
  }

  addConflicts(peer: string, count: number): void {
    this.#sql.ensurePeerState.run(peer);
    this.#sql.addConflicts.run(count, peer);
  }

  recordOutcome(peer: string, outcome: SyncOutcome, now: number): void {
    this.#sql.ensurePeerState.run(peer);
    if (outcome.ok) this.#sql.recordSuccess.run(now, peer);
    else this.#sql.recordFailure.run(now, outcome.error, outcome.nextAttemptAt, peer);
  }

  totalConflicts(): number {
    return this.#sql.totalConflicts.get()!.total;
  }
}
