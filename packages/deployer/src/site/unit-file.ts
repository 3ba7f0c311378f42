import { renderUnit } from '@fleet/sdk/deploy';
import type { DeploySpec } from '@fleet/sdk/fleet';
import { stateAccess } from './internal/state-access.ts';
import { envFileName } from './release-files.ts';
import type { HostService } from './service-types.ts';

/** The header line of every unit Fleet writes: how the audit tells Fleet's units apart, and what the unit's process reads. */
export const MANAGED_UNIT_MARK = '# Managed by Fleet';

/**
 * The unit file of a service: its header (the service, and `inputs`, the hash of what its process
 * reads), then the hardened `[Unit]`, `[Service]` and `[Install]` sections, its settings read from
 * `<currentEtc>/<unit>.env`; it runs in its state directory, the one place it may write.
 */
export function serviceUnitText(
  service: HostService,
  settings: DeploySpec,
  currentEtc: string,
  inputs: string,
): string {
  const body = renderUnit({
    description: service.description,
    execStart: service.execStart,
    user: settings.user,
    group: settings.user,
    // EnvironmentFile= expands specifiers: a `%` in the path is doubled to stay a `%`.
    environmentFile: `${currentEtc}/${envFileName(service)}`.replaceAll('%', '%%'),
    ...stateAccess(service.stateDirectory),
  });
  return `${MANAGED_UNIT_MARK}: ${service.kind} ${service.name} (inputs ${inputs})\n${body}`;
}
