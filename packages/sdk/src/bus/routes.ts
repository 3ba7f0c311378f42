import { z } from 'zod';
import { defineRoute } from '../contract/route.ts';
import { AuditPage, AuditQuery } from '../schemas/audit.ts';
import { AgentName } from '../schemas/common.ts';
import {
  DeadLetter,
  DeadLetterPage,
  DeadLetterQuery,
  DeadLetterSelector,
  PurgeResult,
  RedriveResult,
} from '../schemas/dead-letter.ts';
import {
  AckInput,
  AckResult,
  ExtendInput,
  ExtendResult,
  NackInput,
  NackResult,
  ReceiveInput,
  ReceiveResult,
} from '../schemas/lease.ts';
import { BatchSendInput, Message, MessageList, PollQuery, SendInput, SendResult } from '../schemas/message.ts';
import { QueueStats } from '../schemas/stats.ts';
import {
  SubscribeInput,
  Subscription,
  SubscriptionList,
  SubscriptionQuery,
  UnsubscribeResult,
} from '../schemas/subscription.ts';

/** Path parameter of routes that address one message. */
export const MessageIdParams = z.strictObject({ id: z.string().min(1).max(256) });

/** Query of the message stream (SSE). */
export const StreamQuery = z.strictObject({ agent: AgentName });

/**
 * Every route of the message bus (besides the common `/health`, `/openapi.json` and `/metrics`). The bus server implements exactly these, `BusClient` calls them,
 * and `/openapi.json` is generated from them.
 */
export const busRoutes = {
  send: defineRoute({
    method: 'POST',
    path: '/message',
    summary: 'Send one message to an agent, a topic, or everyone (`to: "*"`)',
    body: SendInput,
    response: SendResult,
    status: 201,
  }),
  sendBatch: defineRoute({
    method: 'POST',
    path: '/messages/batch',
    summary: 'Send up to 100 messages atomically',
    body: BatchSendInput,
    response: SendResult,
    status: 201,
  }),
  poll: defineRoute({
    method: 'GET',
    path: '/messages',
    summary: 'At-most-once poll of the old bus: receive and remove',
    query: PollQuery,
    response: MessageList,
  }),
  receive: defineRoute({
    method: 'POST',
    path: '/receive',
    summary: 'Leased (at-least-once) receive, with optional long polling',
    body: ReceiveInput,
    response: ReceiveResult,
  }),
  ack: defineRoute({
    method: 'POST',
    path: '/ack',
    summary: 'Acknowledge leased messages',
    body: AckInput,
    response: AckResult,
  }),
  nack: defineRoute({
    method: 'POST',
    path: '/nack',
    summary: 'Return a leased message for redelivery',
    body: NackInput,
    response: NackResult,
  }),
  extend: defineRoute({
    method: 'POST',
    path: '/extend',
    summary: 'Extend a lease',
    body: ExtendInput,
    response: ExtendResult,
  }),
  subscribe: defineRoute({
    method: 'POST',
    path: '/subscriptions',
    summary: 'Subscribe an agent to a topic',
    body: SubscribeInput,
    response: Subscription,
    status: 201,
  }),
  unsubscribe: defineRoute({
    method: 'DELETE',
    path: '/subscriptions',
    summary: 'Unsubscribe an agent from a topic',
    query: SubscribeInput,
    response: UnsubscribeResult,
  }),
  subscriptions: defineRoute({
    method: 'GET',
    path: '/subscriptions',
    summary: 'List subscriptions',
    query: SubscriptionQuery,
    response: SubscriptionList,
  }),
  deadLetters: defineRoute({
    method: 'GET',
    path: '/deadletter',
    summary: 'List dead letters, newest last, paginated',
    query: DeadLetterQuery,
    response: DeadLetterPage,
  }),
  deadLetter: defineRoute({
    method: 'GET',
    path: '/deadletter/:id',
    summary: 'Inspect one dead letter',
    params: MessageIdParams,
    response: DeadLetter,
  }),
  redrive: defineRoute({
    method: 'POST',
    path: '/deadletter/redrive',
    summary: 'Move dead letters back to ready, attempts reset',
    body: DeadLetterSelector,
    response: RedriveResult,
  }),
  purge: defineRoute({
    method: 'POST',
    path: '/deadletter/purge',
    summary: 'Delete dead letters',
    body: DeadLetterSelector,
    response: PurgeResult,
  }),
  audit: defineRoute({
    method: 'GET',
    path: '/audit',
    summary: 'The audit trail, oldest first, paginated',
    query: AuditQuery,
    response: AuditPage,
  }),
  stats: defineRoute({ method: 'GET', path: '/queue', summary: 'Queue stats per recipient', response: QueueStats }),
  stream: defineRoute({
    method: 'GET',
    path: '/stream',
    summary: 'Server-Sent Events: every message sent to an agent from now on (`event: message`), without consuming it',
    query: StreamQuery,
    response: Message,
    kind: 'sse',
  }),
} as const;

/** The bus's route table, by name. */
export type BusRoutes = typeof busRoutes;
