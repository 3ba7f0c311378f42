import { z } from 'zod';
import { Timestamp } from './common.ts';
import { TargetState, TargetStatus } from './monitor.ts';
import { QueueTotals, RecipientStats } from './stats.ts';

/** One problem found in a fleet file, located in it. */
export const FleetProblem = z.object({
  file: z.string().describe('The fleet file it is in'),
  line: z.number().int().min(1).describe('Line in the file, from 1'),
  column: z.number().int().min(1).describe('Column in the line, from 1'),
  path: z.string().describe('Where in the document, e.g. services.bus.port'),
  message: z.string().describe('One clear sentence'),
  severity: z.enum(['error', 'warning']).describe('An `error` makes the file invalid; a `warning` does not'),
});
export type FleetProblem = z.infer<typeof FleetProblem>;

/** A bus's backlog as the monitor last read it (`GET /queue`). */
export const BusBacklog = z.object({
  target: z.string().describe('The bus service id'),
  at: Timestamp.nullable().describe('When the monitor last read it; null: not yet'),
  error: z.string().nullable().describe('Why the last read failed; null when it succeeded'),
  recipients: z.array(RecipientStats).describe('Per recipient, as the bus answered `GET /queue`'),
  totals: QueueTotals,
});
export type BusBacklog = z.infer<typeof BusBacklog>;

/** Sync lag of one knowledge node towards one of its peers. */
export const PeerLag = z.object({
  peer: z.string().describe("The peer's node id"),
  lagFacts: z.number().int().nonnegative().describe('Changes of the node the peer has not acknowledged yet'),
  lagSeconds: z
    .number()
    .nonnegative()
    .nullable()
    .describe('Age in seconds of the oldest change the peer has not acknowledged; 0 when it has them all'),
  lastSuccessAt: Timestamp.nullable().describe('When the node last synced with it; null: never'),
  lastError: z.string().nullable().describe('Why the last sync attempt failed; null after a success'),
});
export type PeerLag = z.infer<typeof PeerLag>;

/** A knowledge node's sync status as the monitor last read it (`GET /sync/status`). */
export const KnowledgeSync = z.object({
  target: z.string().describe('The knowledge service id'),
  at: Timestamp.nullable().describe('When the monitor last read it; null: not yet'),
  error: z.string().nullable().describe('Why the last read failed; null when it succeeded'),
  nodeId: z.string().nullable().describe("The node's id, as its status reports it; null until read"),
  peers: z.array(PeerLag).describe('Sync lag towards each of its peers'),
});
export type KnowledgeSync = z.infer<typeof KnowledgeSync>;

/** `GET /api/status` of the dashboard: the whole fleet at a glance. */
export const FleetStatus = z.object({
  generatedAt: Timestamp.describe('When this status was built'),
  file: z.string().nullable().describe('The fleet file in use; null for a fleet given in memory'),
  problems: z.array(FleetProblem).describe("The fleet file's validation problems, by position"),
  hosts: z
    .array(
      z.object({
        name: z.string().describe('The host name in the fleet file'),
        address: z.string().describe('Its address; empty for a host the fleet file does not list'),
        targets: z.array(TargetStatus).describe('Its services, then its wizards, in file order'),
      }),
    )
    .describe('The hosts, in file order'),
  counts: z.record(TargetState, z.number().int().nonnegative()).describe('How many targets are in each state'),
  bus: z.array(BusBacklog).describe("Each bus service's backlog"),
  knowledge: z.array(KnowledgeSync).describe("Each knowledge service's sync lag"),
});
export type FleetStatus = z.infer<typeof FleetStatus>;
