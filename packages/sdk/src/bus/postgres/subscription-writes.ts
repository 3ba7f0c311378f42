import { toIso } from '../../internal/iso-time.ts';
import type { Subscription } from '../../schemas/subscription.ts';
import type { PgTransaction } from './transaction.ts';
import type { PgTransitions } from './transitions.ts';

/** Subscribes an agent to a topic in the caller's transaction (again: keeps the first subscription's time). */
export async function subscribeAgent(
  tx: PgTransaction,
  transitions: PgTransitions,
  agent: string,
  topic: string,
  now: number,
): Promise<Subscription> {
  await transitions.seeAgents(tx, [agent], now);
  // One statement: an insert, or (already subscribed) a no-op update that locks the row and returns its
  // time. An insert that did nothing followed by a SELECT found no row when another replica's
  // unsubscribe committed in between.
  const [row] = await tx.rows<{ createdAt: number }>(
    `INSERT INTO subscriptions (topic, agent, created_at) VALUES ($1, $2, $3)
      ON CONFLICT (topic, agent) DO UPDATE SET created_at = subscriptions.created_at
      RETURNING created_at AS "createdAt"`,
    [topic, agent, now],
  );
  return { agent, topic, createdAt: toIso(row!.createdAt) };
}

/** Removes a subscription in the caller's transaction; whether there was one. */
export async function unsubscribeAgent(tx: PgTransaction, agent: string, topic: string): Promise<boolean> {
  return (await tx.run('DELETE FROM subscriptions WHERE topic = $1 AND agent = $2', [topic, agent])) > 0;
}
