/**
 * `@fleet/sdk`: every Fleet contract as a zod schema, the durable MessageStore, and typed clients.
 * The HTTP server plumbing lives in the `@fleet/sdk/server` subpath so clients never load h3.
 */

// Schemas: common
export { AgentName, Cursor, JsonValue, Timestamp, TopicName } from './schemas/common.ts';
export { ErrorCode, ErrorEnvelope, ValidationIssue } from './schemas/error.ts';
export { listOf, pageOf } from './schemas/list.ts';
export { Health } from './schemas/health.ts';

// Schemas: message bus
export {
  BatchSendInput,
  BROADCAST,
  MAX_BATCH_SIZE,
  MAX_DELAY_SECONDS,
  MAX_TTL_SECONDS,
  Message,
  MessageList,
  PollQuery,
  SendInput,
  SendResult,
} from './schemas/message.ts';
export {
  AckInput,
  AckResult,
  Delivery,
  ExtendInput,
  ExtendResult,
  MAX_LEASE_SECONDS,
  MAX_WAIT_SECONDS,
  NackInput,
  NackResult,
  ReceiveInput,
  ReceiveResult,
} from './schemas/lease.ts';
export {
  SubscribeInput,
  Subscription,
  SubscriptionList,
  SubscriptionQuery,
  UnsubscribeResult,
} from './schemas/subscription.ts';
export {
  DeadLetter,
  DeadLetterPage,
  DeadLetterQuery,
  DeadLetterReason,
  DeadLetterSelector,
  PurgeResult,
  RedriveResult,
} from './schemas/dead-letter.ts';
export { AuditEvent, AuditEventType, AuditPage, AuditQuery } from './schemas/audit.ts';
export { QueueStats, RecipientStats } from './schemas/stats.ts';

// Route contracts
export { defineRoute } from './contract/route.ts';
export { commonRoutes } from './contract/common-routes.ts';
export { busRoutes, MessageIdParams, StreamQuery } from './bus/routes.ts';

// Errors
export { FleetError, isFleetError } from './errors.ts';

export type { Page } from './schemas/list.ts';
export type { SendInputInit } from './schemas/message.ts';
export type { ReceiveInputInit } from './schemas/lease.ts';
export type { HttpMethod, RouteCallInput, RouteContract, RouteInput, RouteResponse } from './contract/route.ts';
export type { BusRoutes } from './bus/routes.ts';
export type { LeaseRequest, MessageStore, MessageStoreOptions } from './bus/message-store.ts';
