import { createHash } from 'node:crypto';
import { renderEnvFile } from './internal/env-file.ts';
import type { ConfigFile, HostService } from './service-types.ts';

/** The files of a host's release `etc/`: each service's environment file and config files, and the fleet file. */
export interface ReleaseContent {
  files: ConfigFile[];
  /** 12 hex digits of SHA-256 over the bundle and every file: equal content, equal hash. */
  hash: string;
  /** Per unit, 12 hex digits of SHA-256 over what its process reads: it changes exactly when the unit must restart. */
  unitInputs: Record<string, string>;
}

/** The name of a service's environment file under the release's `etc/`: `<unit without .service>.env`. */
export function envFileName(service: Pick<HostService, 'unit'>): string {
  return `${service.unit.replace(/\.service$/, '')}.env`;
}

function sha12(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:${part}`);
  return hash.digest('hex').slice(0, 12);
}

/**
 * What a host's release holds besides the code: every service's files, and the fleet file when a
 * knowledge node or the dashboard reads it. The hash names the release, so a redeploy of the same
 * build and config finds the release it made before and changes nothing.
 */
export function releaseContent(
  services: readonly HostService[],
  fleetText: string,
  bundleSha256: string | undefined,
): ReleaseContent {
  const files: ConfigFile[] = [];
  const unitInputs: Record<string, string> = {};
  const readsFleetFile = services.some((service) => service.kind === 'knowledge' || service.kind === 'dashboard');
  if (readsFleetFile) {
    // The dashboard reloads the file by itself; a knowledge node reads its peers from it at start.
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
  const hash = sha12([bundleSha256 ?? '', ...files.flatMap((file) => [file.name, file.mode, file.content])]);
  return { files, hash, unitInputs };
}
