import { toIso } from '../../internal/iso-time.ts';
import type { Subscription, SubscriptionQuery } from '../../schemas/subscription.ts';
import { compare } from './compare.ts';

/** The topic subscriptions of the in-memory store. */
export class MemorySubscriptions {
  /** topic -> agent -> subscription */
  readonly #byTopic = new Map<string, Map<string, Subscription>>();

  /** Subscribes an agent to a topic (again: keeps the first subscription's time). */
  subscribe(agent: string, topic: string, now: number): Subscription {
    let byAgent = this.#byTopic.get(topic);
    if (!byAgent) {
      byAgent = new Map();
      this.#byTopic.set(topic, byAgent);
    }
    let subscription = byAgent.get(agent);
    if (!subscription) {
      subscription = { agent, topic, createdAt: toIso(now) };
      byAgent.set(agent, subscription);
    }
    return { ...subscription };
  }

  /** Removes a subscription; whether there was one. */
  unsubscribe(agent: string, topic: string): boolean {
    const byAgent = this.#byTopic.get(topic);
    const removed = byAgent?.delete(agent) ?? false;
    if (byAgent?.size === 0) this.#byTopic.delete(topic);
    return removed;
  }

  /** The subscriptions matching the query, by topic then agent. */
  list(query: SubscriptionQuery): Subscription[] {
    const topics = query.topic === undefined ? [...this.#byTopic.keys()] : [query.topic];
    const result: Subscription[] = [];
    for (const topic of topics.sort(compare)) {
      const byAgent = this.#byTopic.get(topic);
      if (!byAgent) continue;
      for (const agent of [...byAgent.keys()].sort(compare)) {
        if (query.agent === undefined || query.agent === agent) result.push({ ...byAgent.get(agent)! });
      }
    }
    return result;
  }

  /** The agents subscribed to a topic. */
  subscribers(topic: string): Iterable<string> {
    return this.#byTopic.get(topic)?.keys() ?? [];
  }
}
