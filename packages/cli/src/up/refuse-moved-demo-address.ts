import { resolve } from 'node:path';
import { type Fleet, fleetEntries } from '@fleet/sdk/fleet';
import type { LocalPlan } from './local-plan.ts';

/** Addresses that take connections on every interface, loopback included: a probe of any works. */
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * Throws when `config` is the demo fleet file `fleet up` keeps in its state directory (`<dir>/fleet.yaml`)
 * and a host of a part it runs has another address than `host`, the one it binds: the demo file
 * was written by an earlier `fleet up --host <address>`, and every probe would go to that address
 * (connection refused, the whole fleet `down`). One line naming the flag and the field to change;
 * the file is never rewritten. A fleet file of your own (anywhere else) is taken as it is.
 *
 * @example
 * refuseMovedDemoAddress(fleet, localPlan(fleet), '127.0.0.1', '.fleet/fleet.yaml', '.fleet');
 * // Error: .fleet/fleet.yaml was written for 127.0.0.2 (hosts.local.address) but fleet up binds 127.0.0.1, ...
 */
export function refuseMovedDemoAddress(fleet: Fleet, plan: LocalPlan, host: string, config: string, dir: string): void {
  if (WILDCARDS.has(host) || resolve(config) !== resolve(dir, 'fleet.yaml')) return;
  const skipped = new Set(plan.skipped);
  for (const entry of fleetEntries(fleet)) {
    const address = fleet.hosts[entry.host]?.address;
    if (skipped.has(entry.name) || address === undefined || address === host) continue;
    const field = `hosts.${entry.host}.address`;
    throw new Error(
      `${config} was written for ${address} (${field}) but fleet up binds ${host}, so every probe would miss: ` +
        `run fleet up --host ${address}, or set ${field} to ${host} in ${config}`,
    );
  }
}
