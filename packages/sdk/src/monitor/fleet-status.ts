import type { Fleet } from '../fleet/schema.ts';
import { shownFleet, showReferences } from '../fleet/targets.ts';
import { toIso } from '../internal/iso-time.ts';
import type { BusBacklog, FleetProblem, FleetStatus, KnowledgeSync } from '../schemas/fleet-status.ts';
import { TargetState, type TargetStatus } from '../schemas/monitor.ts';

/** What {@link buildFleetStatus} reads from the monitor (a `FleetMonitor` has all three). */
export interface FleetStatusSource {
  /** The status of every target. */
  statuses(): TargetStatus[];
  /** The bus backlogs, as last read. */
  busBacklogs(): BusBacklog[];
  /** The knowledge nodes' sync status, as last read. */
  knowledgeSync(): KnowledgeSync[];
}

/** Input of {@link buildFleetStatus}. */
export interface BuildFleetStatusInput {
  /** The fleet in use: it gives the hosts, their addresses and their order. `undefined` when none ever loaded. */
  fleet: Fleet | undefined;
  /** The fleet file's path, or `null` for a fleet given in memory. @default null */
  file?: string | null;
  /** The fleet file's problems, errors and warnings, in any order (they are sorted by position). @default [] */
  problems?: readonly FleetProblem[];
  /** Where the targets' states, backlogs and sync lag come from; usually the `FleetMonitor`. */
  monitor: FleetStatusSource;
  /** The time the status is generated at, epoch milliseconds. @default Date.now() */
  now?: number;
}

/**
 * Assembles the dashboard's `FleetStatus`: every host of the fleet in file order with its address
 * and the monitor's status of each of its targets (in the monitor's order, which `fleetTargets`
 * makes file order: services, then wizards), counts per state, the bus backlogs, the knowledge
 * sync lag and the fleet file's problems ordered by line and column. A target on a host the fleet
 * does not list (a monitor configured by hand) gets a host entry of its own, with no address.
 *
 * @example
 * const status = buildFleetStatus({ fleet, file: 'fleet.yaml', problems: [...errors, ...warnings], monitor });
 */
export function buildFleetStatus(input: BuildFleetStatusInput): FleetStatus {
  const { fleet, monitor } = input;
  // A status is served and rendered: values from ${ENV} references show as the reference.
  const shown = fleet ? shownFleet(fleet) : undefined;
  const byHost = new Map<string, { name: string; address: string; targets: TargetStatus[] }>();
  for (const [name, host] of Object.entries(fleet?.hosts ?? {})) {
    byHost.set(name, { name, address: shown?.addresses.get(name) ?? host.address, targets: [] });
  }
  const counts = Object.fromEntries(TargetState.options.map((state) => [state, 0])) as FleetStatus['counts'];
  for (const status of monitor.statuses()) {
    let host = byHost.get(status.host);
    if (!host) {
      host = { name: status.host, address: '', targets: [] };
      byHost.set(status.host, host);
    }
    const url = shown?.urls.get(status.id);
    host.targets.push(url === undefined ? status : { ...status, url });
    counts[status.state] = (counts[status.state] ?? 0) + 1;
  }
  const problems = [...(input.problems ?? [])].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
  return {
    generatedAt: toIso(input.now ?? Date.now()),
    file: input.file ?? null,
    problems,
    hosts: [...byHost.values()],
    counts,
    // Their errors name the URLs read, whose ${ENV} values show as the references too.
    bus: fleet ? monitor.busBacklogs().map((backlog) => withShownError(fleet, backlog)) : monitor.busBacklogs(),
    knowledge: fleet ? monitor.knowledgeSync().map((sync) => withShownError(fleet, sync)) : monitor.knowledgeSync(),
  };
}

function withShownError<T extends { error: string | null }>(fleet: Fleet, read: T): T {
  return read.error === null ? read : { ...read, error: showReferences(fleet, read.error) };
}
