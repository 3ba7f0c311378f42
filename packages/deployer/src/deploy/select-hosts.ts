import type { Fleet } from '@fleet/sdk/fleet';
import { DeployUsageError } from './deploy-usage-error.ts';

/** Which hosts of the fleet file a deploy runs on. */
export interface HostSelection {
  /** By name. */
  hosts?: readonly string[];
  /** By group (`hosts.<name>.groups`). */
  groups?: readonly string[];
}

/**
 * The hosts a deploy runs on, in file order: those named and those in the groups given, or every
 * host with an `ssh` block when neither is given. A name or group the file lacks, or a chosen host
 * without `ssh`, is a {@link DeployUsageError} naming it.
 */
export function selectHosts(fleet: Fleet, selection: HostSelection = {}): string[] {
  const names = Object.keys(fleet.hosts);
  const chosen = new Set<string>();
  for (const name of selection.hosts ?? []) {
    if (!fleet.hosts[name])
      throw new DeployUsageError(`--hosts: no host "${name}" in the fleet file (hosts: ${names.join(', ')})`);
    chosen.add(name);
  }
  for (const group of selection.groups ?? []) {
    const members = names.filter((name) => fleet.hosts[name]!.groups.includes(group));
    if (members.length === 0) throw new DeployUsageError(`--group: no host is in group "${group}"`);
    for (const name of members) chosen.add(name);
  }
  const explicit = (selection.hosts?.length ?? 0) + (selection.groups?.length ?? 0) > 0;
  if (!explicit) return names.filter((name) => fleet.hosts[name]!.ssh !== undefined);
  const unmanaged = names.filter((name) => chosen.has(name) && fleet.hosts[name]!.ssh === undefined);
  if (unmanaged.length > 0) {
    throw new DeployUsageError(
      `host ${unmanaged.join(', ')} has no ssh block in the fleet file: the deployer cannot reach it`,
    );
  }
  return names.filter((name) => chosen.has(name));
}
