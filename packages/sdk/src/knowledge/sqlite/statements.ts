import type Database from 'better-sqlite3';
import type { PeerState } from '../knowledge-db-options.ts';
import { FACT_COLUMNS, type FactRow, type StateParams, type StoredState } from './rows.ts';

/**
 * The part of a better-sqlite3 statement the store uses. Declared here because the driver's own
 * statement type lives in a namespace that declaration files cannot name.
 */
export interface Statement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): Database.RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

/** The `clock` row: feed position, last HLC reading and GC watermark. */
export interface ClockRow {
  seq: number;
  hlcMs: number;
  hlcCounter: number;
  gcWatermark: number;
}

/** A `peer_state` row under camel-case names; times are epoch milliseconds. */
export interface PeerStateRow extends Omit<PeerState, 'pullSnapshot'> {
  /** The highest feed position the peer pulled from this node. */
  pulledBySeq: number;
  /** When the peer last pulled from this node; null: never. */
  pulledByAt: number | null;
  /** JSON of the `PullSnapshot`, or null. */
  pullSnapshot: string | null;
}

/** A `peers` row. */
export interface PeerRow {
  id: string;
  url: string;
  token: string | null;
  createdAt: number;
}

/** Prepares a statement with the store's narrower {@link Statement} type. */
export function prepare<P extends unknown[] = unknown[], R = unknown>(
  db: Database.Database,
  sql: string,
): Statement<P, R> {
  return db.prepare<P, R>(sql) as unknown as Statement<P, R>;
}

/** A row of `FACT_COLUMNS` read as an array, in column order. */
type RawFactRow = [number, string, string | null, string | null, number | null, number, number, number];

function toFactRow(raw: RawFactRow): FactRow {
  return {
    seq: raw[0],
    key: raw[1],
    value: raw[2],
    tags: raw[3],
    expiresAt: raw[4],
    vMs: raw[5],
    vCounter: raw[6],
    source: raw[7],
  };
}

/**
 * Prepares a statement that selects `FACT_COLUMNS` (in that order). Rows are read as arrays and
 * turned into objects here: the driver's own row objects cost about 40% more per row, which is
 * most of a 100-fact query page.
 */
export function prepareFactRows<P extends unknown[] = unknown[]>(
  db: Database.Database,
  sql: string,
): Statement<P, FactRow> {
  const statement = db.prepare<P, RawFactRow>(sql).raw(true) as unknown as Statement<P, RawFactRow>;
  return {
    run: (...params) => statement.run(...params),
    get: (...params) => {
      const raw = statement.get(...params);
      return raw === undefined ? undefined : toFactRow(raw);
    },
    all: (...params) => statement.all(...params).map(toFactRow),
  };
}

const PEER_STATE_COLUMNS = `last_pulled_seq AS lastPulledSeq, last_pushed_seq AS lastPushedSeq,
  pulled_by_seq AS pulledBySeq, pulled_by_at AS pulledByAt, conflicts_lost AS conflictsLost, last_success_at AS lastSuccessAt,
  last_failure_at AS lastFailureAt, last_error AS lastError, consecutive_failures AS consecutiveFailures,
  next_attempt_at AS nextAttemptAt, pulled_feed AS pulledFeedId, pull_snapshot AS pullSnapshot`;

/** Every fixed statement KnowledgeDB runs, prepared once per connection. */
export function prepareStatements(db: Database.Database) {
  const p = <P extends unknown[] = unknown[], R = unknown>(sql: string) => prepare<P, R>(db, sql);
  const facts = <P extends unknown[]>(sql: string) => prepareFactRows<P>(db, sql);
  return {
    getMeta: p<[string], { value: unknown }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: p<[string, unknown]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    deleteMeta: p<[string]>('DELETE FROM meta WHERE key = ?'),
    readClock: p<[], ClockRow>(
      'SELECT seq, hlc_ms AS hlcMs, hlc_counter AS hlcCounter, gc_watermark AS gcWatermark FROM clock WHERE id = 1',
    ),
    saveClock: p<[number, number, number, number]>(
      'UPDATE clock SET seq = ?, hlc_ms = ?, hlc_counter = ?, gc_watermark = ? WHERE id = 1',
    ),
    maxSeq: p<[], { seq: number | null }>('SELECT max(seq) AS seq FROM facts'),
    nodes: p<[], { id: number; name: string }>('SELECT id, name FROM nodes'),
    insertNode: p<[string]>('INSERT INTO nodes (name) VALUES (?)'),
    // Writing a key gives its row a new seq (rowid): the feed stays compacted, one entry per key.
    insertFact: p<StateParams>(
      'INSERT INTO facts (seq, key, value, tags, expires_at, v_ms, v_counter, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    moveFact: p<[...StateParams, number]>(
      `UPDATE facts SET seq = ?, key = ?, value = ?, tags = ?, expires_at = ?, v_ms = ?, v_counter = ?, source = ?
       WHERE seq = ?`,
    ),
    insertTag: p<[string, string]>('INSERT OR IGNORE INTO fact_tags (tag, key) VALUES (?, ?)'),
    deleteTag: p<[string, string]>('DELETE FROM fact_tags WHERE tag = ? AND key = ?'),
    insertText: p<[number, string, string]>('INSERT INTO facts_fts (rowid, key, value) VALUES (?, ?, ?)'),
    deleteText: p<[number]>('DELETE FROM facts_fts WHERE rowid = ?'),
    stateOf: p<[string], StoredState>(
      `SELECT seq, tags, value IS NULL AS deleted, expires_at AS expiresAt, v_ms AS vMs, v_counter AS vCounter, source
       FROM facts WHERE key = ?`,
    ),
    byKey: facts<[string]>(`SELECT ${FACT_COLUMNS} FROM facts f WHERE f.key = ?`),
    changesSince: facts<[number, number]>(`SELECT ${FACT_COLUMNS} FROM facts f WHERE f.seq > ? ORDER BY f.seq LIMIT ?`),
    // Skips one writer's rows inside SQLite: a push never echoes a peer's own changes back to it.
    changesSinceExcept: facts<[number, number, number]>(
      `SELECT ${FACT_COLUMNS} FROM facts f WHERE f.seq > ? AND f.source != ? ORDER BY f.seq LIMIT ?`,
    ),
    // A snapshot page: every key's state in key order, through the key index.
    stateAfterKey: facts<[string, number]>(
      `SELECT ${FACT_COLUMNS} FROM facts f WHERE f.key > ? ORDER BY f.key LIMIT ?`,
    ),
    pendingSince: p<[number], { count: number; first: number | null }>(
      'SELECT count(*) AS count, min(seq) AS first FROM facts WHERE seq > ?',
    ),
    versionMsAt: p<[number], { vMs: number }>('SELECT v_ms AS vMs FROM facts WHERE seq = ?'),
    stats: p<[{ now: number }], { rows: number; tombstones: number; expired: number }>(
      `SELECT (SELECT count(*) FROM facts) AS rows,
         (SELECT count(*) FROM facts WHERE value IS NULL) AS tombstones,
         (SELECT count(*) FROM facts WHERE expires_at IS NOT NULL AND expires_at <= @now AND value IS NOT NULL) AS expired`,
    ),
    // Peers and per-peer sync state.
    peers: p<[], PeerRow>('SELECT id, url, token, created_at AS createdAt FROM peers ORDER BY id'),
    peer: p<[string], PeerRow>('SELECT id, url, token, created_at AS createdAt FROM peers WHERE id = ?'),
    upsertPeer: p<[string, string, string | null, number]>(
      `INSERT INTO peers (id, url, token, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, token = excluded.token`,
    ),
    upsertPeerKeepingToken: p<[string, string, string | null, number]>(
      `INSERT INTO peers (id, url, token, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, token = coalesce(excluded.token, peers.token)`,
    ),
    deletePeer: p<[string]>('DELETE FROM peers WHERE id = ?'),
    deletePeerState: p<[string]>('DELETE FROM peer_state WHERE peer = ?'),
    peerState: p<[string], PeerStateRow>(`SELECT ${PEER_STATE_COLUMNS} FROM peer_state WHERE peer = ?`),
    ensurePeerState: p<[string]>('INSERT OR IGNORE INTO peer_state (peer) VALUES (?)'),
    setPulled: p<[number, string | null, string]>(
      'UPDATE peer_state SET last_pulled_seq = ?, pulled_feed = coalesce(?, pulled_feed) WHERE peer = ?',
    ),
    setPullSnapshot: p<[string | null, string]>('UPDATE peer_state SET pull_snapshot = ? WHERE peer = ?'),
    setPushed: p<[number, string]>('UPDATE peer_state SET last_pushed_seq = max(last_pushed_seq, ?) WHERE peer = ?'),
    setPulledBy: p<[number, number, string]>(
      'UPDATE peer_state SET pulled_by_seq = max(pulled_by_seq, ?), pulled_by_at = ? WHERE peer = ?',
    ),
    addConflicts: p<[number, string]>('UPDATE peer_state SET conflicts_lost = conflicts_lost + ? WHERE peer = ?'),
    recordSuccess: p<[number, string]>(
      `UPDATE peer_state SET last_success_at = ?, consecutive_failures = 0, next_attempt_at = NULL, last_error = NULL
       WHERE peer = ?`,
    ),
    recordFailure: p<[number, string, number, string]>(
      `UPDATE peer_state SET last_failure_at = ?, last_error = ?, next_attempt_at = ?,
         consecutive_failures = consecutive_failures + 1 WHERE peer = ?`,
    ),
    totalConflicts: p<[], { total: number }>('SELECT coalesce(sum(conflicts_lost), 0) AS total FROM peer_state'),
  };
}

/** The prepared statements of one connection. */
export type Statements = ReturnType<typeof prepareStatements>;
