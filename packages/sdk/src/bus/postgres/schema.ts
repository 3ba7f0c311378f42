import type pg from 'pg';
import { destroyConnection, PG_TIMEOUTS, withPooledClient } from '../../internal/pg-driver.ts';
import { UNBOUNDED_MS, watchedQuery } from './backend-watch.ts';
import { isLostConnection } from './failures.ts';

/**
 * Version 1. Times are milliseconds since the epoch (`bigint`), always computed by the store's
 * clock and passed in, never `now()`: one clock for every backend, and tests can move it.
 * `messages.seq` is the insertion order (the FIFO tiebreak); `state` is a MessageState. Text
 * that is sorted or compared (ids, agents, topics) uses the "C" collation: byte order, as in the
 * other backends, whatever the database's locale.
 *
 * Message indexes are partial, one per state, so each transition touches few index pages:
 * - `messages_ready`: a lease walks a recipient's ready rows in delivery order (priority DESC, seq);
 * - `messages_leases` / `messages_ttl`: housekeeping reads only the leases and TTLs that ran out;
 * - `messages_dead*`: dead letters in list order, overall and per recipient.
 * `fillfactor = 70` leaves room on each page for the updates of a lease (HOT updates).
 * The audit trail is in seq order (an identity); retention deletes the oldest events in batches.
 */
const V1 = `
CREATE TABLE messages (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text COLLATE "C" NOT NULL UNIQUE,
  sender text COLLATE "C" NOT NULL,
  recipient text COLLATE "C" NOT NULL,
  topic text COLLATE "C",
  type text NOT NULL,
  payload json NOT NULL,
  priority integer NOT NULL,
  created_at bigint NOT NULL,
  available_at bigint NOT NULL,
  expires_at bigint,
  attempts integer NOT NULL,
  idempotency_key text,
  state text NOT NULL,
  lease_token text,
  lease_expires_at bigint,
  dead_reason text,
  dead_at bigint,
  last_error text
) WITH (fillfactor = 70);
CREATE INDEX messages_ready ON messages (recipient, priority DESC, seq) WHERE state = 'ready';
CREATE INDEX messages_leases ON messages (lease_expires_at, recipient) WHERE state = 'in_flight';
CREATE INDEX messages_ttl ON messages (expires_at, recipient) WHERE state = 'ready' AND expires_at IS NOT NULL;
CREATE INDEX messages_dead_by_agent ON messages (recipient, dead_at, id) WHERE state = 'dead';
CREATE INDEX messages_dead ON messages (dead_at, id) WHERE state = 'dead';

CREATE TABLE agents (name text COLLATE "C" PRIMARY KEY);

CREATE TABLE subscriptions (
  topic text COLLATE "C" NOT NULL,
  agent text COLLATE "C" NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (topic, agent)
);
CREATE INDEX subscriptions_by_agent ON subscriptions (agent, topic);

CREATE TABLE idempotency_keys (
  sender text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  created_at bigint NOT NULL,
  response json NOT NULL,
  PRIMARY KEY (sender, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

CREATE TABLE audit (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at bigint NOT NULL,
  event text NOT NULL,
  message_id text COLLATE "C" NOT NULL,
  agent text COLLATE "C" NOT NULL,
  details json
);
CREATE INDEX audit_by_message ON audit (message_id, seq);
`;

/**
 * Version 2: queue stats without scans (see `queue-counters.ts`). A ready row's `delayed` flag says
 * whether it is counted as delayed (written with an `available_at` after that moment) or as ready
 * (promoted once that time passed); `messages_ready` holds only the rows counted as ready, so a
 * lease never walks past delayed rows, and `messages_delayed` the others, by due time.
 * `queue_count_deltas` is insert-only: each transaction adds one row per recipient it changed, the
 * sweep folds them into one row per recipient, and a stats read sums them. The existing rows are
 * classified with the migrating store's clock and counted once.
 */
const V2 = (now: number) => `
ALTER TABLE messages ADD COLUMN delayed boolean NOT NULL DEFAULT false;
UPDATE messages SET delayed = true WHERE state = 'ready' AND available_at > ${Math.trunc(now)};
DROP INDEX messages_ready;
CREATE INDEX messages_ready ON messages (recipient, priority DESC, seq) WHERE state = 'ready' AND NOT delayed;
CREATE INDEX messages_delayed ON messages (recipient, available_at) WHERE state = 'ready' AND delayed;
CREATE TABLE queue_count_deltas (
  recipient text COLLATE "C" NOT NULL,
  ready integer NOT NULL DEFAULT 0,
  delayed integer NOT NULL DEFAULT 0,
  in_flight integer NOT NULL DEFAULT 0,
  dead integer NOT NULL DEFAULT 0
);
INSERT INTO queue_count_deltas (recipient, ready, delayed, in_flight, dead)
  SELECT recipient, count(*) FILTER (WHERE state = 'ready' AND NOT delayed),
    count(*) FILTER (WHERE state = 'ready' AND delayed), count(*) FILTER (WHERE state = 'in_flight'),
    count(*) FILTER (WHERE state = 'dead')
  FROM messages GROUP BY recipient;
`;

/**
 * Version 3: a gap-free audit order across replicas (`audit-horizon.ts`). `txid` is the id of the
 * transaction that wrote the event, set by its DEFAULT, so any INSERT that lists only the event's
 * columns fills it. The events already there get 0: they sort first, in seq order, as they were
 * served before (the constant default adds the column without rewriting the table). Reads page by
 * (`txid`, `seq`); the message index gets the same order.
 */
const V3 = `
ALTER TABLE audit ADD COLUMN txid xid8 NOT NULL DEFAULT '0';
ALTER TABLE audit ALTER COLUMN txid SET DEFAULT pg_current_xact_id();
CREATE INDEX audit_order ON audit (txid, seq);
DROP INDEX audit_by_message;
CREATE INDEX audit_by_message ON audit (message_id, txid, seq);
`;

/**
 * Version 4: `audit_retention.pruned_through`, when the newest event audit retention removed
 * happened (null: none), so a reader knows how far back the trail is complete (sequence numbers
 * cannot say: they skip on rollbacks). A database with events may already have lost older ones:
 * it gets the moment just before its oldest event; one whose events are all gone (its sequence was
 * used), the migration's time.
 */
const V4 = (now: number) => `
CREATE TABLE audit_retention (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  pruned_through bigint
);
INSERT INTO audit_retention (pruned_through) SELECT CASE
  WHEN EXISTS (SELECT 1 FROM audit) THEN (SELECT min(at) FROM audit) - 1
  WHEN pg_sequence_last_value(pg_get_serial_sequence('audit', 'seq')) IS NOT NULL THEN ${Math.trunc(now)}
END;
`;

/**
 * Version 5: `agents.last_seen`, when the agent was last seen (sent, was sent to, subscribed,
 * leased or polled), written at most about once a minute per agent and replica, and only forward;
 * a broadcast reaches the agents seen within `agentRetentionSeconds`, and the sweep deletes the
 * others (oldest first, through `agents_last_seen`). The agents already there count as seen at the
 * migration (the constant default fills them without rewriting the table), so an upgrade drops
 * none. `IF NOT EXISTS`: a database whose `schema_migrations` was set back migrates again.
 */
const V5 = (now: number) => `
ALTER TABLE agents ADD COLUMN IF NOT EXISTS last_seen bigint NOT NULL DEFAULT ${Math.trunc(now)};
ALTER TABLE agents ALTER COLUMN last_seen DROP DEFAULT;
CREATE INDEX IF NOT EXISTS agents_last_seen ON agents (last_seen);
`;

/** Migrations in order: entry `i` takes a database from version `i` to `i + 1` (at the store's clock). */
const MIGRATIONS: readonly ((now: number) => string)[] = [() => V1, V2, () => V3, V4, V5];

/** The schema version this code writes. */
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** Any constant, the same in every replica: the advisory lock that serializes migrations. */
export const MIGRATION_LOCK = 0x666c_6565; // 'flee'

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * Once it holds the migration lock, how long it waits for each table lock (`lock_timeout`).
   * @default PG_TIMEOUTS.migrationLockMs
   */
  lockTimeoutMs?: number;
  /**
   * How long its try for the migration lock may take, and how often it checks that the server
   * still works on its longer statements (`watchedQuery`). @default PG_TIMEOUTS.migrationProbeMs
   */
  probeMs?: number;
  /** Aborted (the store closes): its connection is closed at once, and the migration rejects. */
  signal?: AbortSignal;
}

/** How long a migration pauses between its tries for the lock another replica holds. */
const LOCK_RETRY_MS = 250;

/**
 * Brings the database to {@link PG_SCHEMA_VERSION} in one transaction, recording each version in
 * `schema_migrations`. An advisory lock makes replicas that start together migrate one after the
 * other (the second finds the work done). Refuses a database written by a newer SDK.
 *
 * A migration runs as long as its work takes: an UPDATE or index build over millions of rows may
 * outlast the pool's `statement_timeout` and `query_timeout`, which would fail it on every attempt.
 * Once it holds the advisory lock, each table lock it waits for more than `lockTimeoutMs` fails it
 * (`unavailable`; the next operation tries again) rather than queueing every statement on that
 * table behind its DDL.
 *
 * No wait is on a connection that may be dead: the lock is tried (and tried again every 250 ms
 * while another replica migrates), each try bounded by `probeMs`, and a longer statement is
 * watched from another connection; a connection whose network went dark fails the migration as
 * lost within about `probeMs` (twice that during DDL), and the next operation migrates on a new one.
 */
export function migrate(pool: pg.Pool, nowMs: number, options: MigrateOptions = {}): Promise<void> {
  const lockTimeoutMs = options.lockTimeoutMs ?? PG_TIMEOUTS.migrationLockMs;
  const probeMs = options.probeMs ?? PG_TIMEOUTS.migrationProbeMs;
  const { signal } = options;
  return withPooledClient(pool, async (client, drop) => {
    const abort = () => destroyConnection(client);
    signal?.addEventListener('abort', abort);
    const run = <Row extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
      watchedQuery<Row>(pool, client, { text, values, query_timeout: UNBOUNDED_MS } as pg.QueryConfig, probeMs);
    try {
      if (signal?.aborted) throw new Error('Client was closed: the message store is closing');
      await run('BEGIN');
      await run('SET LOCAL statement_timeout = 0');
      for (;;) {
        const { rows } = await client.query<{ locked: boolean }>({
          text: 'SELECT pg_try_advisory_xact_lock($1) AS locked',
          values: [MIGRATION_LOCK],
          query_timeout: probeMs,
        } as pg.QueryConfig);
        if (rows[0]?.locked) break;
        await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS * (0.5 + Math.random())));
      }
      await run(`SET LOCAL lock_timeout = ${Math.max(1, Math.trunc(lockTimeoutMs))}`);
      await run(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)',
      );
      const { rows } = await run<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
      const current = rows[0]?.version ?? 0;
      if (current > PG_SCHEMA_VERSION) {
        throw new Error(
          `the database has message store schema version ${current}, newer than this SDK supports (${PG_SCHEMA_VERSION}); upgrade @fleet/sdk`,
        );
      }
      for (let version = current; version < PG_SCHEMA_VERSION; version++) {
        await run(MIGRATIONS[version]!(nowMs));
        await run('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version + 1, nowMs]);
      }
      await run('COMMIT');
    } catch (error) {
      // As inTransaction: a lost connection gets no ROLLBACK queued behind its dead statement (nor,
      // on a dark network, a goodbye that would never arrive).
      if (isLostConnection(error)) {
        drop();
        destroyConnection(client);
      } else await client.query('ROLLBACK').catch(drop);
      throw error;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  });
}
