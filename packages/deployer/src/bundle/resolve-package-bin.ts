import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { BundleError } from '../errors.ts';
import { readManifest } from './internal/package-manifest.ts';

/** The bins a package.json lists, by name, as absolute paths (a string `bin` is named after the package). */
export function packageBins(packageDir: string): Record<string, string> {
  const { manifest } = readManifest(packageDir);
  const { bin } = manifest;
  if (typeof bin === 'string') {
    const name = (manifest.name ?? '').replace(/^@[^/]+\//, '');
    return { [name]: resolve(packageDir, bin) };
  }
  return Object.fromEntries(Object.entries(bin ?? {}).map(([name, file]) => [name, resolve(packageDir, file)]));
}

/**
 * The absolute path of a bin the package in `packageDir` lists in its package.json: the one named
 * `name`, or its only one. Throws a `BundleError` (`bin_not_found`) when there is no such bin or
 * its file is missing.
 *
 * @example resolvePackageBin('/src/fleet/packages/bus-server') // '/src/fleet/packages/bus-server/bin/fleet-bus.js'
 */
export function resolvePackageBin(packageDir: string, name?: string): string {
  const bins = packageBins(packageDir);
  const names = Object.keys(bins);
  const chosen = name ?? (names.length === 1 ? names[0] : undefined);
  const file = chosen === undefined ? undefined : bins[chosen];
  if (file === undefined) {
    const which = name === undefined ? 'a single bin' : `a bin named ${name}`;
    throw new BundleError(
      'bin_not_found',
      `${packageDir}/package.json lists no ${which} (it lists: ${names.join(', ') || 'none'})`,
    );
  }
  if (!existsSync(file))
    throw new BundleError('bin_not_found', `The bin ${chosen} of ${packageDir} is missing: ${file}`);
  return file;
}
