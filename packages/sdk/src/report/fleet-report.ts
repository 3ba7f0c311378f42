import { z } from 'zod';
import { DashboardDeployStatus } from '../dashboard/deploy-status.ts';
import { AgentName, Timestamp } from '../schemas/common.ts';
import { described, NonNegativeInt, NonNegativeNumber } from '../schemas/fields.ts';
import { FleetProblem } from '../schemas/fleet-status.ts';
import { ServiceKind, TargetState } from '../schemas/monitor.ts';

/** A time a target was down: from the transition to `down` to the one out of it (or still down). */
export const ReportIncident = z.object({
  start: Timestamp.describe('When it went down (may be before the report period)'),
  end: described(Timestamp.nullable(), 'When it came back; null while it is still down'),
  durationMs: NonNegativeNumber.describe('How long it was down, up to the end of the report period'),
  reason: described(z.string().nullable(), 'Why the monitor called it down, e.g. the failed condition'),
});
export type ReportIncident = z.infer<typeof ReportIncident>;

/** One target (service or wizard) over the report period. */
export const ReportTarget = z.object({
  id: described(z.string(), 'The service or wizard'),
  kind: ServiceKind,
  host: described(z.string(), 'The host it runs on'),
  state: TargetState.describe('Its state when the report was made'),
  uptime: described(
    z.number().check(z.gte(0), z.lte(1)).nullable(),
    'Good probes over probes made in the period (0 to 1); null when it was not probed',
  ),
  checks: NonNegativeInt.describe('Probes made in the period'),
  downMs: NonNegativeNumber.describe('Time it was down in the period'),
  degradedMs: NonNegativeNumber.describe('Time it was degraded in the period'),
  incidents: described(z.array(ReportIncident), 'Its down times that overlap the period, oldest first'),
  partial: described(
    z.boolean(),
    "True when the monitor's transitions did not reach back to the period's start (figures cover less)",
  ),
});
export type ReportTarget = z.infer<typeof ReportTarget>;

/** One deploy run that started in the period. */
export const ReportDeploy = z.object({
  id: described(z.string(), 'The run id'),
  trigger: described(z.string(), 'What started it: `cli`, `webhook`, `rollback`, ...'),
  user: described(z.string().nullable(), 'Who started it, when known'),
  from: described(z.string().nullable(), 'The machine it ran from, when known'),
  commit: described(z.string().nullable(), 'The commit deployed, when known'),
  message: described(z.string().nullable(), 'Why, when given'),
  status: DashboardDeployStatus.describe('`running`, or how it ended'),
  startedAt: Timestamp.describe('When it started'),
  durationMs: described(NonNegativeNumber.nullable(), 'How long it took; null while running'),
  hosts: described(
    z.array(
      z.object({
        host: z.string(),
        status: described(z.string(), '`ok`, `changed`, `failed`, or `waiting`/`running` while it runs'),
        rollback: described(z.string().nullable(), 'A rollback of this host in the run: running, ok or failed'),
      }),
    ),
    'Each host of the run',
  ),
  problems: described(z.array(z.string()), 'Failed health gates and rollbacks'),
});
export type ReportDeploy = z.infer<typeof ReportDeploy>;

/** One agent's traffic on one bus over the period, and its backlog now. */
export const ReportAgentTraffic = z.object({
  agent: AgentName.describe('The agent'),
  sent: NonNegativeInt.describe('Message copies it sent in the period (a topic publish counts once per recipient)'),
  received: NonNegativeInt.describe('Message copies sent to it in the period'),
  acked: NonNegativeInt.describe('Of those it was sent, how many it acked in the period'),
  deadLettered: NonNegativeInt.describe('Messages to it dead-lettered in the period'),
  ready: NonNegativeInt.describe('Messages waiting for it now'),
  dead: NonNegativeInt.describe('Its dead letters now'),
  oldestReadyAgeSeconds: described(
    NonNegativeNumber.nullable(),
    'Age of the oldest message waiting for it now; null when none waits',
  ),
});
export type ReportAgentTraffic = z.infer<typeof ReportAgentTraffic>;

/** One bus service over the period. */
export const ReportBus = z.object({
  target: described(z.string(), 'The bus service'),
  error: described(z.string().nullable(), 'Why it could not be read; null when it was'),
  partial: described(
    z.boolean(),
    'True when its audit trail (kept 7 days, at most 100,000 events) does not reach back to the period start',
  ),
  agents: described(z.array(ReportAgentTraffic), 'Each agent that sent, received or has a backlog, by name'),
});
export type ReportBus = z.infer<typeof ReportBus>;

/** One knowledge node's sync towards its peers, as the node reports it now. */
export const ReportKnowledge = z.object({
  target: described(z.string(), 'The knowledge service'),
  error: described(z.string().nullable(), 'Why it could not be read; null when it was'),
  nodeId: described(z.string().nullable(), "The node's id; null when it could not be read"),
  conflictsLost: NonNegativeInt.describe("Local writes overwritten by peers' changes, since the node's database began"),
  peers: described(
    z.array(
      z.object({
        peer: described(z.string(), "The peer's node id"),
        lagFacts: described(NonNegativeInt.nullable(), 'Changes the peer has not acknowledged'),
        lagSeconds: described(
          NonNegativeNumber.nullable(),
          'Age of the oldest change the peer has not acknowledged; 0 when it has them all',
        ),
        lastSuccessAt: described(Timestamp.nullable(), 'When it last synced with the peer; null: never'),
        lastError: described(z.string().nullable(), 'Why the last attempt failed; null after a success'),
        conflictsLost: NonNegativeInt.describe("Local writes overwritten by this peer's changes"),
      }),
    ),
    'Each peer, by id',
  ),
});
export type ReportKnowledge = z.infer<typeof ReportKnowledge>;

/** A source the report could not read, so its section is missing or partial. */
export const ReportGap = z.object({
  source: described(z.string(), 'What could not be read, e.g. `dashboard` or `bus`'),
  error: described(z.string(), 'Why'),
});
export type ReportGap = z.infer<typeof ReportGap>;

/**
 * The fleet report (`fleet report`, and the scheduled report of the alerts block): uptime and
 * incidents per target, deploys, bus traffic per agent, knowledge sync and the fleet file's
 * problems over a period. Built by `buildFleetReport`, rendered by `formatFleetReport`.
 */
export const FleetReport = z.object({
  fleet: described(z.string().nullable(), "The fleet's name, when the fleet file gives one"),
  generatedAt: Timestamp.describe('When the report was made'),
  since: Timestamp.describe('Start of the period'),
  until: Timestamp.describe('End of the period (when the report was made)'),
  targets: described(z.array(ReportTarget), 'Each target the monitor watches, by host then file order'),
  deploys: described(z.array(ReportDeploy), 'Deploy runs that started in the period, newest first'),
  bus: described(z.array(ReportBus), 'Each bus service'),
  knowledge: described(z.array(ReportKnowledge), 'Each knowledge service'),
  problems: described(z.array(FleetProblem), "The fleet file's problems"),
  gaps: described(z.array(ReportGap), 'Sources that could not be read: their sections are missing or partial'),
});
export type FleetReport = z.infer<typeof FleetReport>;

/** The formats `formatFleetReport` writes (`json` is the object itself). */
export const ReportFormat = z.enum(['text', 'markdown', 'json']);
export type ReportFormat = z.infer<typeof ReportFormat>;
