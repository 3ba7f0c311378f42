/**
 * `@fleet/sdk`: what an agent or a script that talks to Fleet needs. Every wire contract as a zod
 * schema, the route contracts, the errors, and the typed clients (`BusClient`, `KnowledgeClient`,
 * `DashboardClient`, `consume()`). Its only runtime dependencies are zod and ky.
 *
 * Everything heavier sits behind a subpath: `@fleet/sdk/stores` (message stores, `KnowledgeDB`,
 * `SyncEngine`), `@fleet/sdk/fleet` (the fleet file, `FleetMonitor`), `@fleet/sdk/server` (the h3
 * plumbing), `@fleet/sdk/cli` (what the command lines share) and `@fleet/sdk/demo` (the demo agent).
 */

// Schemas: shared by every Fleet server
export { AgentName, Cursor, JsonValue, MAX_JSON_DEPTH, Timestamp, TopicName } from './schemas/common.ts';
export { ERROR_STATUS, ErrorCode, ErrorEnvelope, errorCodeOf, ValidationIssue } from './schemas/error.ts';
export { Health } from './schemas/health.ts';
export { listOf, pageOf } from './schemas/list.ts';

// Schemas: message bus
export {
  BatchSendInput,
  BROADCAST,
  MAX_BATCH_SIZE,
  MAX_DELAY_SECONDS,
  MAX_POLL_ANSWER_BYTES,
  MAX_SEND_COPIES_BYTES,
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
export { QueueStats, QueueTotals, RecipientStats } from './schemas/stats.ts';

// Schemas: knowledge
export {
  BatchPutInput,
  DeleteFactResult,
  Fact,
  FactInput,
  FactKey,
  FactKeyParams,
  FactList,
  FactPage,
  FactQuery,
  Hlc,
  MAX_FACT_BATCH,
  MAX_FACT_TTL_SECONDS,
  MAX_FACT_VALUE_BYTES,
  NodeId,
  Tag,
} from './schemas/fact.ts';
export {
  ApplyResult,
  Change,
  ChangePage,
  ChangesQuery,
  MAX_CHANGE_BATCH,
  PeerSyncResult,
  PeerSyncStatus,
  SyncPullInput,
  SyncPushInput,
  SyncRunResult,
  SyncStatus,
} from './schemas/sync.ts';
export { Peer, PeerIdParams, PeerInput, PeerList, RemovePeerResult } from './schemas/peer.ts';

// Schemas: monitor and dashboard answers
export {
  HealthCondition,
  HistoryBucket,
  HistoryResolution,
  MonitorTarget,
  ProbeResult,
  ServiceDetail,
  ServiceKind,
  StateTransition,
  TargetState,
  TargetStatus,
  Uptime,
} from './schemas/monitor.ts';
export { BusBacklog, FleetProblem, FleetStatus, KnowledgeSync, PeerLag } from './schemas/fleet-status.ts';

// Schemas: the deploy webhook
export {
  DeployHookDeploys,
  DeployHookDeploysQuery,
  DeployHookHistoryRun,
  DeployHookJob,
  DeployHookJobList,
  DeployHookJobStatus,
  WebhookAnswer,
} from './deploy-hook/schemas.ts';

// Schemas: deploys on the dashboard
export {
  DashboardDeployHost,
  DashboardDeployRun,
  DashboardDeploys,
  DashboardDeploysQuery,
  DashboardDeployStatus,
  DeployEventsAccepted,
  DeployEventsInput,
  DeployRunEventWire,
  DeployRunInfo,
} from './dashboard/deploy-status.ts';

// Schemas: alerts on the dashboard
export { AlertDeliveries, AlertDeliveriesQuery } from './alerts/alert-delivery.ts';

// Route contracts
export { defineRoute } from './contract/route.ts';
export { commonRoutes } from './contract/common-routes.ts';
export { DEFAULT_PORTS, defaultServerUrl } from './contract/default-ports.ts';
export { busRoutes, MessageIdParams, StreamQuery } from './bus/routes.ts';
export { knowledgeRoutes, WatchQuery } from './knowledge/routes.ts';
export { DashboardEvent, dashboardRoutes, ServiceDetailQuery, ServiceIdParams } from './dashboard/routes.ts';
export { deployHookRoutes } from './deploy-hook/routes.ts';

// Clients
export { BusClient } from './bus/bus-client.ts';
export { consume } from './bus/consume.ts';
export { KnowledgeClient } from './knowledge/knowledge-client.ts';
export { DashboardClient } from './dashboard/dashboard-client.ts';
export { dashboardDeployReporter } from './dashboard/deploy-reporter.ts';
export { FleetClient } from './client/fleet-client.ts';
export { callRoute } from './client/call-route.ts';
export { createHttpClient, DEFAULT_TIMEOUT_MS } from './client/http-client.ts';
export { routeUrl } from './client/route-url.ts';
export { SseParser } from './client/sse-parser.ts';
export { streamRoute } from './client/stream-route.ts';

// Errors
export { FleetError, isFleetError } from './errors.ts';
export {
  FleetConnectionError,
  FleetHttpError,
  isFleetConnectionError,
  isFleetHttpError,
  isResponseValidationError,
  ResponseValidationError,
} from './client/errors.ts';

// Types
export type { Page } from './schemas/list.ts';
export type { SendInputInit } from './schemas/message.ts';
export type { ReceiveInputInit } from './schemas/lease.ts';
export type { FactInputInit } from './schemas/fact.ts';
export type { MonitorTargetInput } from './schemas/monitor.ts';
export type { FleetServerKind } from './contract/default-ports.ts';
export type {
  HttpMethod,
  RouteCallInput,
  RouteContract,
  RouteExample,
  RouteHeader,
  RouteInput,
  RouteNotModified,
  RouteRedirect,
  RouteResponse,
} from './contract/route.ts';
export type { BusRoutes } from './bus/routes.ts';
export type { KnowledgeRoutes } from './knowledge/routes.ts';
export type { DashboardRoutes } from './dashboard/routes.ts';
export type { DeployHookRoutes } from './deploy-hook/routes.ts';
export type {
  ConsumeClient,
  ConsumeErrorContext,
  ConsumeOptions,
  MessageHandler,
  MessageHandlerContext,
} from './bus/consume.ts';
export type {
  AuditQueryInit,
  BusClientOptions,
  DeadLetterQueryInit,
  DeadLetterSelectorInit,
  ExtendInputInit,
  NackInputInit,
} from './bus/bus-client.ts';
export type { ChangesQueryInit, KnowledgeClientOptions, SyncPullInputInit } from './knowledge/knowledge-client.ts';
export type { FactQueryInit } from './knowledge/knowledge-db.ts';
export type { DashboardClientOptions, ServiceRangeInit } from './dashboard/dashboard-client.ts';
export type { DashboardDeployReporter, DashboardDeployReporterOptions } from './dashboard/deploy-reporter.ts';
export type { CallOptions, HttpClient, HttpClientOptions } from './client/http-client.ts';
export type { FleetClientOptions } from './client/fleet-client.ts';
export type { RouteUrlInput } from './client/route-url.ts';
export type { SseEvent } from './client/sse-parser.ts';
export type { StreamOptions } from './client/stream-route.ts';
