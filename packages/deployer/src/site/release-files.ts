import { createHash } from 'node:crypto';
import { renderEnvFile } from './internal/env-file.ts';
import type { ConfigFile, HostService } from './service-types.ts';

/**
 * What a host's release holds besides the code: the files of its `etc/` (each service's environment
 * file and config files, and the fleet file) and, under `units/`, the unit file of each service as
 * rendered for this release (what a rollback to it puts back).
 */
export interface ReleaseContent {
  files: ConfigFile[];
  /** Each unit file, by unit name. */
  units: Record<string, string>;
  /** 12 hex digits of SHA-256 over the bundle, every file and every unit: equal content, equal hash. */
  hash: string;
  /** Per unit, 12 hex digits of SHA-256 over what its process reads: it changes exactly when the unit must restart. */
  unitInputs: Record<string, string>;
}

/** The name of a service's environment file under the release's `etc/`: `<unit without .service>.env`. */
export function envFileName(service: Pick<HostService, 'unit'>): string {
  return `${service.unit.replace(/\.service$/, '')}.env`;
}

/** The kinds of service whose unit passes the release's `etc/fleet.yaml` as `--config`. */
const FLEET_FILE_READERS = new Set<HostService['kind']>(['knowledge', 'dashboard', 'deploy-hook']);

function sha12(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:${part}`);
  return hash.digest('hex').slice(0, 12);
}

/**
 * What a host's release holds besides the code: every service's files, the fleet file when a
 * knowledge node, the dashboard or the deploy hook reads it, and every service's unit file (`unitText` renders it
 * from the service and the hash of its inputs). The hash names the release, so a redeploy of the
 * same build and config finds the release it made before and changes nothing, and a changed
 * command line (which only the unit holds) is a new release that a rollback can leave.
 */
export function releaseContent(
  services: readonly HostService[],
  fleetText: string,
  bundleSha256: string | undefined,
  unitText: (service: HostService, inputs: string) => string,
): ReleaseContent {
  const files: ConfigFile[] = [];
  const unitInputs: Record<string, string> = {};
  const readsFleetFile = services.some((service) => FLEET_FILE_READERS.has(service.kind));
  if (readsFleetFile) {
    // The dashboard reloads the file by itself, the deploy hook reads it at each deploy; a knowledge
    // node reads its peers from it at start, so a changed file restarts it.
    const readers = services.filter((service) => service.kind === 'knowledge').map((service) => service.unit);
    files.push({ name: 'fleet.yaml', content: fleetText, mode: '0640', readers });
  }
  for (const service of services) {
    const own: ConfigFile[] = [
      { name: envFileName(service), content: renderEnvFile(service.env), mode: '0600' },
      ...service.files,
    ];
    files.push(...own.map((file) => ({ ...file, readers: [service.unit] })));
    unitInputs[service.unit] = sha12([
      service.usesBundle ? (bundleSha256 ?? '') : '',
      service.fleetInputs,
      ...own.flatMap((file) => [file.name, file.content]),
    ]);
  }
  const units = Object.fromEntries(
    services.map((service) => [service.unit, unitText(service, unitInputs[service.unit] ?? '')]),
  );
  const hash = sha12([
    bundleSha256 ?? '',
    ...files.flatMap((file) => [file.name, file.mode, file.content]),
    ...Object.entries(units).flat(),
  ]);
  return { files, units, hash, unitInputs };
}
