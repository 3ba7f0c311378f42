import type { ServiceKind } from '../schemas/monitor.ts';

/**
 * The systemd unit the deployer installs a service or wizard as on its host:
 * `fleet-<name>.service`, or `fleet-wizard-<name>.service` for a wizard (its environment file is
 * `etc/<unit without .service>.env`). `parseFleet` refuses two targets on one host with one unit.
 * @example unitOf({ name: 'scout', kind: 'wizard' }) // 'fleet-wizard-scout.service'
 */
export function unitOf(target: { name: string; kind: ServiceKind }): string {
  return target.kind === 'wizard' ? `fleet-wizard-${target.name}.service` : `fleet-${target.name}.service`;
}
