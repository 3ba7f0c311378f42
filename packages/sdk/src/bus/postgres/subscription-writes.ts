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
  await tx.run('INSERT INTO subscriptions (topic, agent, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    topic,
    agent,
    now,
  ]);
  const [row] = await tx.rows<{ createdAt: number }>(
    'SELECT created_at AS "createdAt" FROM subscriptions WHERE topic = $1 AND agent = $2',
    [topic, agent],
  );
  return { agent, topic, createdAt: toIso(row!.createdAt) };
}

/** Removes a subscription in the caller's transaction; whether there was one. */
export async function unsubscribeAgent(tx: PgTransaction, agent: string, topic: string): Promise<boolean> {
  return (await tx.run('DELETE FROM subscriptions WHERE topic = $1 AND agent = $2', [topic, agent])) > 0;
}
