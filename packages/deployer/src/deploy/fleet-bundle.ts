import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import {
  type BuildReleaseBundleOptions,
  buildReleaseBundle,
  type ReleaseBundle,
} from '../bundle/build-release-bundle.ts';
import { resolvePackageBin } from '../bundle/resolve-package-bin.ts';
import { BundleError } from '../errors.ts';

/** The packages whose bins run Fleet's services on hosts, and the bin of each. */
export const FLEET_BINS: ReadonlyArray<{ package: string; bin: string }> = [
  { package: '@fleet/bus-server', bin: 'fleet-bus' },
  { package: '@fleet/knowledge-server', bin: 'fleet-knowledge' },
  { package: '@fleet/dashboard', bin: 'fleet-dashboard' },
  { package: '@fleet/cli', bin: 'fleet' },
  { package: '@fleet/deployer', bin: 'fleet-deploy' },
];

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch (error) {
    throw new BundleError(
      'bin_not_found',
      `${name} is not installed here; the release bundle needs it: npm install ${name}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The release bundle of Fleet's own services (bus, knowledge, dashboard, and the `fleet` CLI whose
 * `fleet agent` runs default wizards) from the packages installed next to the deployer: the
 * exact local build.
 */
export function buildFleetBundle(options: Omit<BuildReleaseBundleOptions, 'bins'> = {}): Promise<ReleaseBundle> {
  const bins = FLEET_BINS.map((entry) => resolvePackageBin(packageDir(entry.package), entry.bin));
  return buildReleaseBundle({ ...options, bins });
}
