import { z } from 'zod';
import { Timestamp } from './common.ts';
import { described, NonNegativeInt, NonNegativeNumber } from './fields.ts';
import { lazyShape } from './lazy-shape.ts';
import { TargetState, TargetStatus } from './monitor.ts';
import { QueueTotals, RecipientStats } from './stats.ts';

/** One problem found in a fleet file, located in it. */
export const FleetProblem = z.object(
  lazyShape(() => ({
    file: described(z.string(), 'The fleet file it is in'),
    line: described(z.int().min(1), 'Line in the file, from 1'),
    column: described(z.int().min(1), 'Column in the line, from 1'),
    path: described(z.string(), 'Where in the document, e.g. services.bus.port'),
    message: described(z.string(), 'One clear sentence'),
    severity: described(z.enum(['error', 'warning']), 'An `error` makes the file invalid; a `warning` does not'),
  })),
);
export type FleetProblem = z.infer<typeof FleetProblem>;

/** A bus's backlog as the monitor last read it (`GET /queue`). */
export const BusBacklog = z.object(
  lazyShape(() => ({
    target: described(z.string(), 'The bus service id'),
    at: described(Timestamp.nullable(), 'When the monitor last read it; null: not yet'),
    error: described(z.string().nullable(), 'Why the last read failed; null when it succeeded'),
    recipients: described(z.array(RecipientStats), 'Per recipient, as the bus answered `GET /queue`'),
    totals: QueueTotals,
  })),
);
export type BusBacklog = z.infer<typeof BusBacklog>;

/** Sync lag of one knowledge node towards one of its peers. */
export const PeerLag = z.object(
  lazyShape(() => ({
    peer: described(z.string(), "The peer's node id"),
    lagFacts: NonNegativeInt.describe('Changes of the node the peer has not acknowledged yet'),
    lagSeconds: described(
      NonNegativeNumber.nullable(),
      'How long the peer has been behind, in seconds (since it was last in step with the node, at least the age of the oldest change it has not acknowledged); 0 when it has them all',
    ),
    lastSuccessAt: described(Timestamp.nullable(), 'When the node last synced with it; null: never'),
    lastError: described(z.string().nullable(), 'Why the last sync attempt failed; null after a success'),
  })),
);
export type PeerLag = z.infer<typeof PeerLag>;

/** A knowledge node's sync status as the monitor last read it (`GET /sync/status`). */
export const KnowledgeSync = z.object(
  lazyShape(() => ({
    target: described(z.string(), 'The knowledge service id'),
    at: described(Timestamp.nullable(), 'When the monitor last read it; null: not yet'),
    error: described(z.string().nullable(), 'Why the last read failed; null when it succeeded'),
    nodeId: described(z.string().nullable(), "The node's id, as its status reports it; null until read"),
    peers: described(z.array(PeerLag), 'Sync lag towards each of its peers'),
  })),
);
export type KnowledgeSync = z.infer<typeof KnowledgeSync>;

/** `GET /api/status` of the dashboard: the whole fleet at a glance. */
export const FleetStatus = z.object(
  lazyShape(() => ({
    generatedAt: Timestamp.describe('When this status was built'),
    file: described(z.string().nullable(), 'The fleet file in use; null for a fleet given in memory'),
    problems: described(z.array(FleetProblem), "The fleet file's validation problems, by position"),
    hosts: described(
      z.array(
        z.object({
          name: described(z.string(), 'The host name in the fleet file'),
          address: described(z.string(), 'Its address; empty for a host the fleet file does not list'),
          targets: described(z.array(TargetStatus), 'Its services, then its wizards, in file order'),
        }),
      ),
      'The hosts, in file order',
    ),
    counts: described(z.record(TargetState, NonNegativeInt), 'How many targets are in each state'),
    bus: described(z.array(BusBacklog), "Each bus service's backlog"),
    knowledge: described(z.array(KnowledgeSync), "Each knowledge service's sync lag"),
  })),
);
export type FleetStatus = z.infer<typeof FleetStatus>;
