/**
 * `@fleet/sdk`: every Fleet contract as a zod schema, the durable MessageStore, and typed clients.
 * The HTTP server plumbing lives in the `@fleet/sdk/server` subpath so clients never load h3.
 */

export type {
  AuditQueryInit,
  BusClientOptions,
  DeadLetterQueryInit,
  DeadLetterSelectorInit,
  ExtendInputInit,
  NackInputInit,
} from './bus/bus-client.ts';
export { BusClient } from './bus/bus-client.ts';
export type { ConsumeClient, ConsumeErrorContext, ConsumeOptions, MessageHandler } from './bus/consume.ts';
export { consume } from './bus/consume.ts';
// Bus helpers
export { leaseWithWait, waitForMessage } from './bus/long-poll.ts';
// Stores
export { MemoryMessageStore } from './bus/memory-store.ts';
export type { LeaseRequest, MessageStore, MessageStoreOptions } from './bus/message-store.ts';
export type { StreamMessagesOptions } from './bus/message-stream.ts';
export { streamMessages } from './bus/message-stream.ts';
export { openMessageStore } from './bus/open-store.ts';
export type { BusRoutes } from './bus/routes.ts';
export { busRoutes, MessageIdParams, StreamQuery } from './bus/routes.ts';
export type { SqliteSettings } from './bus/sqlite/schema.ts';
export type { SqliteMessageStoreOptions } from './bus/sqlite-store.ts';
export { SqliteMessageStore } from './bus/sqlite-store.ts';
// Clients
export { callRoute } from './client/call-route.ts';
export {
  FleetConnectionError,
  FleetHttpError,
  isFleetConnectionError,
  isFleetHttpError,
  isResponseValidationError,
  ResponseValidationError,
} from './client/errors.ts';
export type { CallOptions, HttpClient, HttpClientOptions } from './client/http-client.ts';
export { createHttpClient, DEFAULT_TIMEOUT_MS } from './client/http-client.ts';
export type { RouteUrlInput } from './client/route-url.ts';
export { routeUrl } from './client/route-url.ts';
export type { SseEvent } from './client/sse-parser.ts';
export { SseParser } from './client/sse-parser.ts';
export type { StreamOptions } from './client/stream-route.ts';
export { streamRoute } from './client/stream-route.ts';
export { commonRoutes } from './contract/common-routes.ts';
export type { HttpMethod, RouteCallInput, RouteContract, RouteInput, RouteResponse } from './contract/route.ts';
// Route contracts
export { defineRoute } from './contract/route.ts';
// Errors
export { FleetError, isFleetError } from './errors.ts';
export { AuditEvent, AuditEventType, AuditPage, AuditQuery } from './schemas/audit.ts';
// Schemas: common
export { AgentName, Cursor, JsonValue, Timestamp, TopicName } from './schemas/common.ts';
export {
  DeadLetter,
  DeadLetterPage,
  DeadLetterQuery,
  DeadLetterReason,
  DeadLetterSelector,
  PurgeResult,
  RedriveResult,
} from './schemas/dead-letter.ts';
export { ErrorCode, ErrorEnvelope, ValidationIssue } from './schemas/error.ts';
export { Health } from './schemas/health.ts';
export type { ReceiveInputInit } from './schemas/lease.ts';
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
export type { Page } from './schemas/list.ts';
export { listOf, pageOf } from './schemas/list.ts';
export type { SendInputInit } from './schemas/message.ts';
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
export { QueueStats, RecipientStats } from './schemas/stats.ts';
export {
  SubscribeInput,
  Subscription,
  SubscriptionList,
  SubscriptionQuery,
  UnsubscribeResult,
} from './schemas/subscription.ts';
