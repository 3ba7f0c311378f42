/**
 * `@fleet/sdk/fleet`: the fleet file (`fleet.yaml`: schema, loader with `file:line:column`
 * problems, watcher, what the rest derives from it) and the health monitor that watches what it
 * describes (`FleetMonitor`, conditions, `buildFleetStatus`). For the dashboard, the CLI and
 * operators' scripts.
 *
 * Needs the optional peer dependencies `yaml` (the loader) and `better-sqlite3` (the monitor's
 * history): `npm install yaml better-sqlite3@12`.
 */

// Fleet file: schema
export {
  AbsolutePath,
  Address,
  Duration,
  EnvName,
  FleetName,
  HealthPath,
  Port,
  Scheme,
  Token,
  UnixName,
} from './fields.ts';
export { DeploySpec, HealthGateSpec, InstallSpec, RolloutBatch } from './deploy-spec.ts';
export { FleetHealth, HealthSpec } from './health.ts';
export { Fleet, FleetHost, FleetService, FleetWizard, SshSpec } from './schema.ts';
export {
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_HEALTH_INTERVAL_MS,
  DEFAULT_HEALTH_TIMEOUT_MS,
  DEFAULT_SUCCESS_THRESHOLD,
  HEALTH_PRESETS,
  resolveHealth,
} from './presets.ts';

// Fleet file: loading, and what everything else derives from it
export { parseFleet } from './parse-fleet.ts';
export { loadFleetFile } from './load-fleet-file.ts';
export { watchFleetFile } from './watch-fleet-file.ts';
export { formatProblem } from './format-problem.ts';
export { fleetFileProblem } from './locate-problem.ts';
export { fleetEntries, fleetTargets, serviceUrl, servicesOfKind, shownFleet } from './targets.ts';
export { unitOf } from './unit-name.ts';
export { fleetKnowledgeNode, knowledgePeers } from './knowledge-node.ts';
export { fleetDashboard } from './fleet-dashboard.ts';
export { bindAddress, deployLockHost, deploySettings } from './deploy-settings.ts';
export { fleetEnvironment, redactFleet } from './redact.ts';
export { envTemplateAt } from './env-template.ts';
export { MIN_SCRUB_LENGTH, SECRET_ENV_NAME } from './internal/secrets.ts';
export { demoFleetYaml } from './demo.ts';

// Health monitor
export { FleetMonitor } from '../monitor/fleet-monitor.ts';
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MONITOR_CONCURRENCY,
  DEFAULT_MONITOR_CONCURRENCY_PER_HOST,
  DEFAULT_ROLLUP_INTERVAL_MS,
} from '../monitor/fleet-monitor-options.ts';
export { buildFleetStatus } from '../monitor/fleet-status.ts';
export { parseCondition } from '../schemas/condition/parse-condition.ts';
export { InvalidConditionError } from '../schemas/condition/invalid-condition-error.ts';
export { evaluateConditions } from '../monitor/condition/evaluate-conditions.ts';

// Deploys on the dashboard: the runs the deployer posted
export { applyDeployEvents, deployingHosts } from '../monitor/deploys/apply-deploy-events.ts';
export { DeployRunLog } from '../monitor/deploys/deploy-run-log.ts';
export {
  DEFAULT_DEPLOY_WINDOW_MS,
  markDeployWindows,
  restoreDeployWindows,
} from '../monitor/deploys/deploy-windows.ts';

// Alerts
export { AlertKind, AlertMessage, AlertSeverity } from '../alerts/alert-message.ts';
export {
  ChannelSpec,
  createChannel,
  DEFAULT_CHANNEL_TIMEOUT_MS,
  EmailChannelSpec,
  MatrixChannelSpec,
  NtfyChannelSpec,
  SlackChannelSpec,
  WebhookChannelSpec,
} from '../alerts/channel-spec.ts';
export { ChannelError, isChannelError } from '../alerts/channels/channel-error.ts';

// Alerts: rules in the fleet file, the engine, the outbox, the heartbeat
export { AlertDelivery } from '../alerts/alert-delivery.ts';
export { AlertEngine } from '../alerts/alert-engine.ts';
export { startAlertHeartbeat } from '../alerts/alert-heartbeat.ts';
export { AlertOutbox } from '../alerts/alert-outbox.ts';
export {
  AlertEvent,
  AlertHeartbeatSpec,
  AlertRule,
  AlertSilence,
  AlertsSpec,
  ReportScheduleSpec,
} from '../alerts/alerts-spec.ts';
export { startReportSchedule } from '../alerts/report-schedule.ts';
export { startAlerting } from '../alerts/start-alerting.ts';
export { fleetAlertingOptions } from './alerting-options.ts';

// Fleet report
export { buildFleetReport, DEFAULT_REPORT_PERIOD_MS } from '../report/build-fleet-report.ts';
export { fleetReportServices } from '../report/fleet-report-services.ts';
export {
  FleetReport,
  ReportAgentTraffic,
  ReportBus,
  ReportDeploy,
  ReportFormat,
  ReportGap,
  ReportIncident,
  ReportKnowledge,
  ReportTarget,
} from '../report/fleet-report.ts';
export { monitorReportSource } from '../report/monitor-report-source.ts';
export { dashboardReportSource } from '../report/report-sources.ts';
export { formatFleetReport } from '../report/format-report.ts';
export { truncatedPercent } from '../report/truncated-percent.ts';

// Types
export type { FleetInput } from './schema.ts';
export type { DeploySpecInput } from './deploy-spec.ts';
export type { HealthSpecInput } from './health.ts';
export type { HealthPreset } from './presets.ts';
export type { FleetParseResult, ParseFleetOptions } from './parse-fleet.ts';
export type { FleetFileSnapshot, FleetFileWatcher, WatchFleetFileOptions } from './watch-fleet-file.ts';
export type { NamedTarget } from './targets.ts';
export type { FleetKnowledgeNode, FleetKnowledgePeer } from './knowledge-node.ts';
export type { FleetDashboard } from './fleet-dashboard.ts';
export type { DemoFleetOptions } from './demo.ts';
export type { FleetMonitorOptions, HistoryRange, ProbeNowOptions, RollupResult } from '../monitor/fleet-monitor.ts';
export type { BuildFleetStatusInput, FleetStatusSource } from '../monitor/fleet-status.ts';
export type {
  BodyPathSegment,
  ConditionOperator,
  ConditionSubject,
  ParsedCondition,
} from '../schemas/condition/parse-condition.ts';
export type { ConditionFailure, ProbeAnswer } from '../monitor/condition/evaluate-conditions.ts';
export type { CheckedDeployEvents } from '../monitor/deploys/apply-deploy-events.ts';
export type { DeployEventsResult, DeployRunLogOptions } from '../monitor/deploys/deploy-run-log.ts';
export type { AlertChannel, ChannelSendOptions, ChannelSpecInput, ChannelType } from '../alerts/channel-spec.ts';
export type { ChannelErrorCode, ChannelErrorOptions } from '../alerts/channels/channel-error.ts';
export type {
  AlertDispatch,
  AlertEngineMemory,
  AlertEngineOptions,
  AlertNotified,
  AlertTarget,
} from '../alerts/alert-engine.ts';
export type { AlertHeartbeat, AlertHeartbeatOptions } from '../alerts/alert-heartbeat.ts';
export type { AlertOutboxOptions, DeliveryPass, ReportRunMemory } from '../alerts/alert-outbox.ts';
export type { AlertsSpecInput, ReportSchedule } from '../alerts/alerts-spec.ts';
export type { BuildReport, ReportScheduler, StartReportScheduleOptions } from '../alerts/report-schedule.ts';
export type { Alerting, StartAlertingOptions } from '../alerts/start-alerting.ts';
export type { BuildFleetReportOptions } from '../report/build-fleet-report.ts';
export type { FleetReportServicesOptions } from '../report/fleet-report-services.ts';
export type { MonitorReportSourceOptions } from '../report/monitor-report-source.ts';
export type {
  FleetReportSources,
  ReportBusSource,
  ReportKnowledgeSource,
  ReportMonitorSource,
  ReportRange,
} from '../report/report-sources.ts';
