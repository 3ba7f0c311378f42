import { BROADCAST, type SendInput, type SendResult } from '../../schemas/message.ts';
import type { MessageRecord } from '../internal/message-record.ts';
import { type IdempotencyRecord, planSends } from '../internal/send-plan.ts';
import type { CountDeltas } from './queue-counters.ts';
import { StatementBuilder } from './statement.ts';
import type { PgTransaction } from './transaction.ts';
import type { PgTransitions } from './transitions.ts';

/** What one send (or batch) wrote: the result for the caller and the copies for `onMessage`. */
export interface WrittenSends {
  result: SendResult;
  records: MessageRecord[];
}

/** What planning reads, fetched up front (the planner itself is synchronous). */
interface SendReads {
  subscribers: Map<string, string[]>;
  agents: string[];
  keys: Map<string, IdempotencyRecord>;
}

const keyOf = (from: string, key: string) => `${from}\u0001${key}`;

async function readForPlan(
  tx: PgTransaction,
  transitions: PgTransitions,
  inputs: SendInput[],
  now: number,
): Promise<SendReads> {
  const topics = [...new Set(inputs.flatMap((i) => (i.topic === undefined ? [] : [i.topic])))];
  const keyed = inputs.filter((i) => i.idempotencyKey !== null);
  const reads: SendReads = { subscribers: new Map(), agents: [], keys: new Map() };
  if (keyed.length > 0) {
    const senders = keyed.map((i) => i.from);
    const keys = keyed.map((i) => i.idempotencyKey);
    // Serializes sends that share a key (on any replica) from here to COMMIT, so the key is read
    // after the other's commit and the send is stored once. Locks are taken in hash order.
    await tx.rows(
      `SELECT pg_advisory_xact_lock(h) FROM (
        SELECT DISTINCT hashtextextended(s || chr(1) || k, 0) AS h FROM unnest($1::text[], $2::text[]) AS u(s, k)
        ORDER BY h) AS locks`,
      [senders, keys],
    );
    const rows = await tx.rows<{ from: string; key: string; at: number; messages: IdempotencyRecord['messages'] }>(
      `SELECT sender AS "from", key, created_at AS at, response AS messages FROM idempotency_keys
        WHERE (sender, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [senders, keys],
    );
    for (const row of rows) reads.keys.set(keyOf(row.from, row.key), row);
  }
  if (topics.length > 0) {
    const rows = await tx.rows<{ topic: string; agent: string }>(
      'SELECT topic, agent FROM subscriptions WHERE topic = ANY($1::text[])',
      [topics],
    );
    for (const { topic, agent } of rows) {
      const list = reads.subscribers.get(topic) ?? [];
      list.push(agent);
      reads.subscribers.set(topic, list);
    }
  }
  if (inputs.some((i) => i.to === BROADCAST && i.topic === undefined)) {
    reads.agents = await transitions.knownAgents(tx, now);
  }
  return reads;
}

/**
 * Stores a send or batch in the caller's transaction: plans it with the shared planner (which
 * throws `validation_failed` or `payload_too_large` before anything is written; `batch` names
 * fields `messages.3.payload`) and inserts every copy, key, agent and `sent` event in a few
 * set-based statements.
 */
export async function writeSends(
  tx: PgTransaction,
  transitions: PgTransitions,
  inputs: SendInput[],
  now: number,
  idempotencyWindowSeconds: number,
  batch: boolean,
): Promise<WrittenSends> {
  const reads = await readForPlan(tx, transitions, inputs, now);
  const plan = planSends(
    inputs,
    {
      knownAgents: () => reads.agents,
      subscribers: (topic) => reads.subscribers.get(topic) ?? [],
      idempotency: (from, key) => reads.keys.get(keyOf(from, key)),
    },
    now,
    idempotencyWindowSeconds,
    batch,
  );
  await transitions.seeAgents(tx, plan.agents, now);
  if (plan.keys.length > 0) {
    await tx.run(
      `INSERT INTO idempotency_keys (sender, key, created_at, response)
        SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::json[])
        ON CONFLICT (sender, key) DO UPDATE SET created_at = EXCLUDED.created_at, response = EXCLUDED.response`,
      [
        plan.keys.map((k) => k.from),
        plan.keys.map((k) => k.key),
        plan.keys.map((k) => k.at),
        plan.keys.map((k) => JSON.stringify(k.messages)),
      ],
    );
  }
  if (plan.records.length > 0) {
    const statement = new StatementBuilder();
    addMessagesInsert(statement, tx.counts, plan.records, now);
    await tx.run(statement.text(), statement.values);
  }
  for (const entry of plan.audit) tx.audit(entry);
  return { result: plan.result, records: plan.records };
}

/**
 * Adds the insert of new ready copies, flagged delayed when available after `now`, and counts
 * them in `counts`; their seq (FIFO order) follows the order of `records`.
 */
export function addMessagesInsert(
  statement: StatementBuilder,
  counts: CountDeltas,
  records: readonly MessageRecord[],
  now: number,
): void {
  if (records.length === 0) return;
  for (const record of records) counts.add(record.to, record.availableAt > now ? 'delayed' : 'ready');
  // The copies of one send share a payload object: serialize it once.
  let last: unknown;
  let json = '';
  const payloads = records.map((record, index) => {
    if (index === 0 || record.payload !== last) {
      last = record.payload;
      json = JSON.stringify(record.payload ?? null);
    }
    return json;
  });
  const p = (values: unknown, cast: string) => statement.param(values, cast);
  statement.add(`INSERT INTO messages (id, sender, recipient, topic, type, payload, priority, created_at, available_at,
      expires_at, attempts, idempotency_key, state, delayed)
    SELECT id, sender, recipient, topic, type, payload, priority, created_at, available_at, expires_at, attempts,
      idempotency_key, 'ready', available_at > ${p(now, 'bigint')}
    FROM unnest(${p(
      records.map((r) => r.id),
      'text[]',
    )}, ${p(
      records.map((r) => r.from),
      'text[]',
    )}, ${p(
      records.map((r) => r.to),
      'text[]',
    )}, ${p(
      records.map((r) => r.topic),
      'text[]',
    )}, ${p(
      records.map((r) => r.type),
      'text[]',
    )}, ${p(payloads, 'json[]')}, ${p(
      records.map((r) => r.priority),
      'int[]',
    )}, ${p(
      records.map((r) => r.createdAt),
      'bigint[]',
    )}, ${p(
      records.map((r) => r.availableAt),
      'bigint[]',
    )}, ${p(
      records.map((r) => r.expiresAt),
      'bigint[]',
    )}, ${p(
      records.map((r) => r.attempts),
      'int[]',
    )}, ${p(
      records.map((r) => r.idempotencyKey),
      'text[]',
    )})
      WITH ORDINALITY AS r(id, sender, recipient, topic, type, payload, priority, created_at, available_at,
        expires_at, attempts, idempotency_key, n)
    ORDER BY n`);
}
