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
import { described } from '../schemas/fields.ts';
import { lazyShape } from '../schemas/lazy-shape.ts';
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
export const MessageIdParams = z.strictObject(
  lazyShape(() => ({
    id: described(z.string().check(z.minLength(1), z.maxLength(256)), 'The message id'),
  })),
);

/** Query of the message stream (SSE). */
export const StreamQuery = z.strictObject(
  lazyShape(() => ({ agent: AgentName.describe('The agent whose incoming messages to stream') })),
);

/** What the examples below use: a message id and a receipt as `POST /receive` hands them out. */
const EXAMPLE_ID = '0194b5c2a3e80000a1b2c3d4e5f60718';
const EXAMPLE_RECEIPT = `${EXAMPLE_ID}~Zk3vQ9LmT0aB`;
const EXAMPLE_SEND = { from: 'planner', to: 'coder', type: 'task', payload: { issue: 42 } };

/**
 * Every route of the message bus (besides the common `/health`, `/openapi.json` and `/metrics`). The bus server implements exactly these, `BusClient` calls them,
 * and `/openapi.json` is generated from them.
 */
export const busRoutes = {
  send: defineRoute({
    method: 'POST',
    path: '/message',
    summary:
      'Send one message to an agent (`to`), a topic (`topic`), or everyone (`to: "*"`); exactly one of `to` or `topic`',
    body: SendInput,
    response: SendResult,
    status: 201,
    example: { body: EXAMPLE_SEND },
  }),
  sendBatch: defineRoute({
    method: 'POST',
    path: '/messages/batch',
    summary: 'Send up to 100 messages atomically',
    body: BatchSendInput,
    response: SendResult,
    status: 201,
    example: {
      body: {
        messages: [EXAMPLE_SEND, { from: 'planner', topic: 'builds', type: 'build.done', payload: { ok: true } }],
      },
    },
  }),
  poll: defineRoute({
    method: 'GET',
    path: '/messages',
    summary:
      'At-most-once poll of the old bus: receive and remove (`POST /receive` is the at-least-once way to receive)',
    query: PollQuery,
    response: MessageList,
    changesState: true,
    example: { query: { to: 'coder', limit: 10 } },
  }),
  receive: defineRoute({
    method: 'POST',
    path: '/receive',
    summary:
      'Leased (at-least-once) receive, with optional long polling: ack, nack or extend each delivery before its lease runs out',
    body: ReceiveInput,
    response: ReceiveResult,
    example: { body: { agent: 'coder', limit: 10, leaseSeconds: 60, waitSeconds: 20 } },
  }),
  ack: defineRoute({
    method: 'POST',
    path: '/ack',
    summary: 'Acknowledge leased messages: done, remove them for good (all receipts or none)',
    body: AckInput,
    response: AckResult,
    errors: ['receipt_unknown', 'receipt_expired'],
    example: { body: { receipts: [EXAMPLE_RECEIPT] } },
  }),
  nack: defineRoute({
    method: 'POST',
    path: '/nack',
    summary:
      'Give a leased message back: delivered again after a delay or backoff, or dead-lettered after its last attempt',
    body: NackInput,
    response: NackResult,
    errors: ['receipt_unknown', 'receipt_expired'],
    example: { body: { receipt: EXAMPLE_RECEIPT, delaySeconds: 30, reason: 'model timed out' } },
  }),
  extend: defineRoute({
    method: 'POST',
    path: '/extend',
    summary: 'Extend a lease: more time before the message is delivered to a receiver again',
    body: ExtendInput,
    response: ExtendResult,
    errors: ['receipt_unknown', 'receipt_expired'],
    example: { body: { receipt: EXAMPLE_RECEIPT, leaseSeconds: 120 } },
  }),
  subscribe: defineRoute({
    method: 'POST',
    path: '/subscriptions',
    summary:
      'Subscribe an agent to a topic: from now on it gets its own copy of each message sent to the topic (subscribing again changes nothing)',
    body: SubscribeInput,
    response: Subscription,
    status: 201,
    example: { body: { agent: 'coder', topic: 'builds' } },
  }),
  unsubscribe: defineRoute({
    method: 'DELETE',
    path: '/subscriptions',
    summary: 'Unsubscribe an agent from a topic; copies already in its queue stay',
    query: SubscribeInput,
    response: UnsubscribeResult,
    example: { query: { agent: 'coder', topic: 'builds' } },
  }),
  subscriptions: defineRoute({
    method: 'GET',
    path: '/subscriptions',
    summary: 'List subscriptions, filtered by agent, topic or both',
    query: SubscriptionQuery,
    response: SubscriptionList,
    example: { query: { agent: 'coder' } },
  }),
  deadLetters: defineRoute({
    method: 'GET',
    path: '/deadletter',
    summary: 'List dead letters, newest last, paginated',
    query: DeadLetterQuery,
    response: DeadLetterPage,
    example: { query: { agent: 'coder' } },
  }),
  deadLetter: defineRoute({
    method: 'GET',
    path: '/deadletter/:id',
    summary: 'Inspect one dead letter',
    params: MessageIdParams,
    response: DeadLetter,
    errors: ['not_found'],
    example: { params: { id: EXAMPLE_ID } },
  }),
  redrive: defineRoute({
    method: 'POST',
    path: '/deadletter/redrive',
    summary: 'Move dead letters back to ready, attempts reset; by `ids` or by `agent` (exactly one)',
    body: DeadLetterSelector,
    response: RedriveResult,
    example: { body: { agent: 'coder' } },
  }),
  purge: defineRoute({
    method: 'POST',
    path: '/deadletter/purge',
    summary: 'Delete dead letters; by `ids` or by `agent` (exactly one)',
    body: DeadLetterSelector,
    response: PurgeResult,
    example: { body: { ids: [EXAMPLE_ID] } },
  }),
  audit: defineRoute({
    method: 'GET',
    path: '/audit',
    summary: 'The audit trail, oldest first, paginated',
    query: AuditQuery,
    response: AuditPage,
    example: { query: { messageId: EXAMPLE_ID } },
  }),
  stats: defineRoute({ method: 'GET', path: '/queue', summary: 'Queue stats per recipient', response: QueueStats }),
  stream: defineRoute({
    method: 'GET',
    path: '/stream',
    summary: 'Server-Sent Events: every message sent to an agent from now on (`event: message`), without consuming it',
    query: StreamQuery,
    response: Message,
    kind: 'sse',
    example: { query: { agent: 'coder' } },
  }),
} as const;

/** The bus's route table, by name. */
export type BusRoutes = typeof busRoutes;
