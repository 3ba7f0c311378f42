/**
 * `@fleet/sdk`: every Fleet contract as a zod schema, the stores, and typed clients.
 * The HTTP server plumbing lives in the `@fleet/sdk/server` subpath so clients never load h3.
 */

// Schemas: shared by every Fleet server
export { AgentName, Cursor, JsonValue, Timestamp, TopicName } from './schemas/common.ts';
export { ErrorCode, ErrorEnvelope, ValidationIssue } from './schemas/error.ts';
export { Health } from './schemas/health.ts';
export { listOf, pageOf } from './schemas/list.ts';

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

// Schemas: fleet file, monitor and dashboard
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

// Fleet file: schema, loading, and what everything else derives from it
export { Address, Duration, EnvName, FleetName, HealthPath, Port, Scheme, Token } from './fleet/fields.ts';
export { FleetHealth, HealthSpec } from './fleet/health.ts';
export { Fleet, FleetHost, FleetService, FleetWizard, SshSpec } from './fleet/schema.ts';
export {
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_HEALTH_INTERVAL_MS,
  DEFAULT_HEALTH_TIMEOUT_MS,
  DEFAULT_SUCCESS_THRESHOLD,
  HEALTH_PRESETS,
  resolveHealth,
} from './fleet/presets.ts';
export { parseFleet } from './fleet/parse-fleet.ts';
export { loadFleetFile } from './fleet/load-fleet-file.ts';
export { formatProblem } from './fleet/format-problem.ts';
export { fleetEntries, fleetTargets, serviceUrl, servicesOfKind, shownFleet } from './fleet/targets.ts';
export { fleetKnowledgeNode, knowledgePeers } from './fleet/knowledge-node.ts';
export { redactFleet } from './fleet/redact.ts';
export { demoFleetYaml } from './fleet/demo.ts';

// Dashboard: contract, client, fleet status
export { DashboardEvent, dashboardRoutes, ServiceDetailQuery, ServiceIdParams } from './dashboard/routes.ts';
export { DashboardClient } from './dashboard/dashboard-client.ts';
export { buildFleetStatus } from './monitor/fleet-status.ts';
export { watchFleetFile } from './fleet/watch-fleet-file.ts';

// Health monitor
export { FleetMonitor } from './monitor/fleet-monitor.ts';
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MONITOR_CONCURRENCY,
  DEFAULT_MONITOR_CONCURRENCY_PER_HOST,
  DEFAULT_ROLLUP_INTERVAL_MS,
} from './monitor/fleet-monitor-options.ts';
export { parseCondition } from './monitor/condition/parse-condition.ts';
export { InvalidConditionError } from './monitor/condition/invalid-condition-error.ts';
export { evaluateConditions } from './monitor/condition/evaluate-conditions.ts';

// Route contracts
export { defineRoute } from './contract/route.ts';
export { EncodedJson } from './contract/encoded-json.ts';
export { commonRoutes } from './contract/common-routes.ts';
export { busRoutes, MessageIdParams, StreamQuery } from './bus/routes.ts';
export { knowledgeRoutes, WatchQuery } from './knowledge/routes.ts';

// Message stores
export { MemoryMessageStore } from './bus/memory-store.ts';
export { SqliteMessageStore } from './bus/sqlite-store.ts';
export { openMessageStore } from './bus/open-store.ts';

// Knowledge
export { KnowledgeDB } from './knowledge/knowledge-db.ts';
export { compareVersions, formatHlc, HybridLogicalClock, parseHlc } from './knowledge/hlc.ts';
export { SyncEngine } from './knowledge/sync-engine.ts';
export { decodePulledPage } from './knowledge/sync/pulled-page.ts';
export { PullWorker, pullWorkerAvailable } from './knowledge/sync/page-puller.ts';

// Bus helpers
export { leaseWithWait, waitForMessage } from './bus/long-poll.ts';
export { streamMessages } from './bus/message-stream.ts';
export { consume } from './bus/consume.ts';

// Clients
export { BusClient } from './bus/bus-client.ts';
export { FleetClient } from './client/fleet-client.ts';
export { callRoute, callRouteText } from './client/call-route.ts';
export type { RouteAnswerText } from './client/call-route.ts';
export { createHttpClient, DEFAULT_TIMEOUT_MS } from './client/http-client.ts';
export { routeUrl } from './client/route-url.ts';
export { SseParser } from './client/sse-parser.ts';
export { streamRoute } from './client/stream-route.ts';

// Knowledge
export { KnowledgeClient } from './knowledge/knowledge-client.ts';
export { watchChanges } from './knowledge/watch-changes.ts';

// Demo agents
export { startDemoAgent } from './demo/demo-agent.ts';
export { DemoAgentStats } from './demo/schema.ts';
export type { DemoAgentOptions, RunningDemoAgent } from './demo/demo-agent.ts';

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
export type { HttpMethod, RouteCallInput, RouteContract, RouteInput, RouteResponse } from './contract/route.ts';
export type { BusRoutes } from './bus/routes.ts';
export type { KnowledgeRoutes } from './knowledge/routes.ts';
export type {
  ChangeListener,
  ChangesOptions,
  FactQueryInit,
  GcResult,
  KnowledgeDBOptions,
  KnowledgeStats,
  PeerState,
  SyncOutcome,
} from './knowledge/knowledge-db.ts';
export type { HlcTimestamp, VersionedState } from './knowledge/hlc.ts';
export type { FleetInput } from './fleet/schema.ts';
export type { HealthSpecInput } from './fleet/health.ts';
export type { HealthPreset } from './fleet/presets.ts';
export type { FleetParseResult, ParseFleetOptions } from './fleet/parse-fleet.ts';
export type { NamedTarget } from './fleet/targets.ts';
export type { FleetKnowledgeNode, FleetKnowledgePeer } from './fleet/knowledge-node.ts';
export type { DemoFleetOptions } from './fleet/demo.ts';
export type { MonitorTargetInput } from './schemas/monitor.ts';
export type { SyncBackoffOptions, SyncEngineOptions, SyncLogger } from './knowledge/sync/options.ts';
export type { PageFields, PulledPage } from './knowledge/sync/pulled-page.ts';
export type { PagePuller } from './knowledge/sync/page-puller.ts';
export type { PullTarget } from './knowledge/sync/peer-client.ts';
export type { CheckedChanges } from './knowledge/internal/checked-changes.ts';
export type { CheckedChange } from './knowledge/internal/fact-checks.ts';
export type { LeaseRequest, MessageStore, MessageStoreOptions } from './bus/message-store.ts';
export type { SqliteMessageStoreOptions } from './bus/sqlite-store.ts';
export type { SqliteSettings } from './bus/sqlite/schema.ts';
export type { StreamMessagesOptions } from './bus/message-stream.ts';
export type { ConsumeClient, ConsumeErrorContext, ConsumeOptions, MessageHandler } from './bus/consume.ts';
export type {
  AuditQueryInit,
  BusClientOptions,
  DeadLetterQueryInit,
  DeadLetterSelectorInit,
  ExtendInputInit,
  NackInputInit,
} from './bus/bus-client.ts';
export type { CallOptions, HttpClient, HttpClientOptions } from './client/http-client.ts';
export type { FleetClientOptions } from './client/fleet-client.ts';
export type { ChangesQueryInit, KnowledgeClientOptions, SyncPullInputInit } from './knowledge/knowledge-client.ts';
export type { ChangeSource, WatchChangesOptions } from './knowledge/watch-changes.ts';
export type { RouteUrlInput } from './client/route-url.ts';
export type { SseEvent } from './client/sse-parser.ts';
export type { StreamOptions } from './client/stream-route.ts';
export type { DashboardRoutes } from './dashboard/routes.ts';
export type { DashboardClientOptions, ServiceRangeInit } from './dashboard/dashboard-client.ts';
export type { BuildFleetStatusInput, FleetStatusSource } from './monitor/fleet-status.ts';
export type { FleetFileSnapshot, FleetFileWatcher, WatchFleetFileOptions } from './fleet/watch-fleet-file.ts';
export type { FleetMonitorOptions, HistoryRange } from './monitor/fleet-monitor.ts';
export type { RollupResult } from './monitor/fleet-monitor.ts';
export type {
  BodyPathSegment,
  ConditionOperator,
  ConditionSubject,
  ParsedCondition,
} from './monitor/condition/parse-condition.ts';
export type { ConditionFailure, ProbeAnswer } from './monitor/condition/evaluate-conditions.ts';
