import { z } from 'zod';
import { AgentName, Timestamp, TopicName } from './common.ts';
import { listOf } from './list.ts';

/** An agent's subscription to a topic: each message sent to the topic gives the agent its own copy. */
export const Subscription = z.object({
  agent: AgentName.describe('The subscribed agent'),
  topic: TopicName.describe('The topic it gets copies of'),
  createdAt: Timestamp.describe('When it subscribed (subscribing again changes nothing)'),
});
export type Subscription = z.infer<typeof Subscription>;

/** Names one subscription: the body of `POST /subscriptions`, the query of `DELETE /subscriptions`. */
export const SubscribeInput = z.strictObject({
  agent: AgentName.describe('The subscribing agent'),
  topic: TopicName.describe('The topic'),
});
export type SubscribeInput = z.infer<typeof SubscribeInput>;

/** Filter for listing subscriptions; both fields optional. */
export const SubscriptionQuery = z.strictObject({
  agent: AgentName.optional().describe("Only this agent's subscriptions"),
  topic: TopicName.optional().describe('Only the subscriptions to this topic'),
});
export type SubscriptionQuery = z.infer<typeof SubscriptionQuery>;

export const SubscriptionList = listOf('subscriptions', Subscription, 'The subscriptions, by topic, then by agent');
export type SubscriptionList = z.infer<typeof SubscriptionList>;

export const UnsubscribeResult = z.object({
  removed: z.boolean().describe('False when the agent was not subscribed to the topic'),
});
export type UnsubscribeResult = z.infer<typeof UnsubscribeResult>;
