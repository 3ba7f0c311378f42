import { type Fleet, fleetEntries } from '@fleet/sdk/fleet';

/** True when host `name` runs Fleet's own code: a bus, knowledge node or dashboard, or a wizard without its own `exec`. */
export function hostNeedsBundle(fleet: Fleet, name: string): boolean {
  return fleetEntries(fleet).some(
    (entry) =>
      entry.host === name &&
      (entry.kind === 'bus' ||
        entry.kind === 'knowledge' ||
        entry.kind === 'dashboard' ||
        (entry.kind === 'wizard' && fleet.wizards[entry.name]?.exec === undefined)),
  );
}
