import { toIso } from '../../internal/iso-time.ts';
import type { Subscription } from '../../schemas/subscription.ts';
import type { Statements } from './statements.ts';
import type { SqliteTransitions } from './transitions.ts';

/** Subscribes an agent to a topic (again: keeps the first subscription's time). Runs inside the caller's transaction. */
export function subscribeAgent(
  sql: Statements,
  transitions: SqliteTransitions,
  agent: string,
  topic: string,
  now: number,
): Subscription {
  transitions.seeAgent(agent, now);
  sql.subscribe.run(topic, agent, now);
  const createdAt = sql.subscription.get(topic, agent)!;
  return { agent, topic, createdAt: toIso(createdAt) };
}

/** Removes a subscription; whether there was one. Runs inside the caller's transaction. */
export function unsubscribeAgent(sql: Statements, agent: string, topic: string): boolean {
  return sql.unsubscribe.run(topic, agent).changes > 0;
}
