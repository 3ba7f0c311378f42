import { z } from 'zod';
import { AgentName, Timestamp, TopicName } from './common.ts';
import { described } from './fields.ts';
import { lazyShape } from './lazy-shape.ts';
import { listOf } from './list.ts';

/** An agent's subscription to a topic: each message sent to the topic gives the agent its own copy. */
export const Subscription = z.object(
  lazyShape(() => ({
    agent: AgentName.describe('The subscribed agent'),
    topic: TopicName.describe('The topic it gets copies of'),
    createdAt: Timestamp.describe('When it subscribed (subscribing again changes nothing)'),
  })),
);
export type Subscription = z.infer<typeof Subscription>;

/** Names one subscription: the body of `POST /subscriptions`, the query of `DELETE /subscriptions`. */
export const SubscribeInput = z.strictObject(
  lazyShape(() => ({
    agent: AgentName.describe('The subscribing agent'),
    topic: TopicName.describe('The topic'),
  })),
);
export type SubscribeInput = z.infer<typeof SubscribeInput>;

/** Filter for listing subscriptions; both fields optional. */
export const SubscriptionQuery = z.strictObject(
  lazyShape(() => ({
    agent: described(AgentName.optional(), "Only this agent's subscriptions"),
    topic: described(TopicName.optional(), 'Only the subscriptions to this topic'),
  })),
);
export type SubscriptionQuery = z.infer<typeof SubscriptionQuery>;

export const SubscriptionList = listOf('subscriptions', Subscription, 'The subscriptions, by topic, then by agent');
export type SubscriptionList = z.infer<typeof SubscriptionList>;

export const UnsubscribeResult = z.object(
  lazyShape(() => ({
    removed: described(z.boolean(), 'False when the agent was not subscribed to the topic'),
  })),
);
export type UnsubscribeResult = z.infer<typeof UnsubscribeResult>;
