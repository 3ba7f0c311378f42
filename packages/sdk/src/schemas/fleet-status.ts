import { z } from 'zod';
import { Timestamp } from './common.ts';
import { TargetState, TargetStatus } from './monitor.ts';
import { RecipientStats } from './stats.ts';

/** One problem found in a fleet file, located in it. */
export const FleetProblem = z.object({
  file: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
  path: z.string().describe('Where in the document, e.g. services.bus.port'),
  message: z.string().describe('One clear sentence'),
  severity: z.enum(['error', 'warning']),
});
export type FleetProblem = z.infer<typeof FleetProblem>;

/** A bus's backlog as the monitor last read it (`GET /queue`). */
export const BusBacklog = z.object({
  target: z.string().describe('The bus service id'),
  at: Timestamp.nullable(),
  error: z.string().nullable(),
  recipients: z.array(RecipientStats),
  totals: z.object({
    ready: z.number().int().nonnegative(),
    inFlight: z.number().int().nonnegative(),
    delayed: z.number().int().nonnegative(),
    dead: z.number().int().nonnegative(),
  }),
});
export type BusBacklog = z.infer<typeof BusBacklog>;

/** Sync lag of one knowledge node towards one of its peers. */
export const PeerLag = z.object({
  peer: z.string(),
  lagFacts: z.number().int().nonnegative(),
  lagSeconds: z.number().nonnegative().nullable(),
  lastSuccessAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
});
export type PeerLag = z.infer<typeof PeerLag>;

/** A knowledge node's sync status as the monitor last read it (`GET /sync/status`). */
export const KnowledgeSync = z.object({
  target: z.string().describe('The knowledge service id'),
  at: Timestamp.nullable(),
  error: z.string().nullable(),
  nodeId: z.string().nullable(),
  peers: z.array(PeerLag),
});
export type KnowledgeSync = z.infer<typeof KnowledgeSync>;

/** `GET /api/status` of the dashboard: the whole fleet at a glance. */
export const FleetStatus = z.object({
  generatedAt: Timestamp,
  file: z.string().nullable().describe('The fleet file in use'),
  problems: z.array(FleetProblem).describe("The fleet file's validation problems"),
  hosts: z.array(
    z.object({
      name: z.string(),
      address: z.string(),
      targets: z.array(TargetStatus),
    }),
  ),
  counts: z.record(TargetState, z.number().int().nonnegative()),
  bus: z.array(BusBacklog),
  knowledge: z.array(KnowledgeSync),
});
export type FleetStatus = z.infer<typeof FleetStatus>;
