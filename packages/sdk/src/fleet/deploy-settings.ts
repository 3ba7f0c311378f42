import { FleetError } from '../errors.ts';
import { DeploySpec } from './deploy-spec.ts';
import type { Fleet } from './schema.ts';

/**
 * The fleet's `deploy` block with every default filled in.
 * @example deploySettings(fleet).batches // [1, '25%']
 */
export function deploySettings(fleet: Fleet): DeploySpec {
  return fleet.deploy ?? DeploySpec.parse({});
}

/**
 * The address the services of host `name` bind: its `bind` when the file gives one (NAT), else
 * its `address`. Throws `FleetError('validation_failed')` for a host the fleet lacks.
 * @example bindAddress(fleet, 'vps1') // '10.0.0.5' while others reach it at 203.0.113.7
 */
export function bindAddress(fleet: Fleet, name: string): string {
  const host = fleet.hosts[name];
  if (!host) throw new FleetError('validation_failed', `unknown host "${name}"`, { details: { field: 'host' } });
  return host.bind ?? host.address;
}

/**
 * The host that holds the deploy lock and history: `deploy.lock.host`, else the first host with
 * `ssh` in file order; `undefined` when no host is managed over SSH.
 */
export function deployLockHost(fleet: Fleet): string | undefined {
  const chosen = deploySettings(fleet).lock.host;
  if (chosen !== undefined) return chosen;
  return Object.entries(fleet.hosts).find(([, host]) => host.ssh !== undefined)?.[0];
}
