import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { BundleError } from '../errors.ts';
import { fileSha256 } from './internal/file-sha256.ts';
import { nearestManifestFile } from './internal/package-manifest.ts';
import { traceFiles } from './internal/trace-files.ts';
import { writeTarball } from './internal/write-tarball.ts';
import { packageBins } from './resolve-package-bin.ts';

/** Options of {@link buildReleaseBundle}. */
export interface BuildReleaseBundleOptions {
  /**
   * Absolute paths of the bin files to bundle, each listed in its package's package.json `bin`
   * (see `resolvePackageBin`), e.g. `<repo>/packages/bus-server/bin/fleet-bus.js`. Their
   * packages must be built: a bin imports its `dist/`.
   */
  bins: readonly string[];
  /** Directory the bundle is written to, as `fleet-release-<id>.tar.gz`. @default `<os tmpdir>/fleet-bundles` */
  out?: string;
  /**
   * The directory the paths inside the bundle are relative to; every file the bins need must be
   * under it. @default the deepest directory holding them all (the repository, for a workspace),
   * or, when that is inside `node_modules`, the directory that holds it (the project, for an npm
   * install: the bundle then holds `node_modules/...`, where Node finds the packages)
   */
  root?: string;
}

/** A release bundle: a gzipped tarball of exactly the files some bins need, named by its content. */
export interface ReleaseBundle {
  /** Absolute path of the `.tar.gz`. */
  file: string;
  /** Hex SHA-256 of the file. */
  sha256: string;
  /** The first 12 hex digits of `sha256`: the same local build gives the same id. */
  id: string;
  /** Entries in the tarball: files and symlinks. */
  files: number;
  /** Size of the `.tar.gz`. */
  bytes: number;
  /** Each bin's name (from its package.json) and its path inside the bundle, e.g. `{ 'fleet-bus': 'packages/bus-server/bin/fleet-bus.js' }`. */
  bins: Record<string, string>;
}

/** The name a package.json gives the bin file `bin`. */
function binName(bin: string): string {
  const manifest = nearestManifestFile(dirname(bin));
  const bins = manifest === undefined ? {} : packageBins(dirname(manifest));
  const name = Object.entries(bins).find(([, file]) => existsSync(file) && realpathSync(file) === bin)?.[0];
  if (name === undefined) throw new BundleError('bin_not_found', `${bin} is no bin its package.json lists`);
  return name;
}

/**
 * Bundles the exact local build of some bins (Fleet's servers, its CLI) for installing on hosts
 * that have Node but no checkout and no registry access. @vercel/nft traces the files the bins
 * load, dependencies' native `.node` addons included, and node-tar packs them as a `.tar.gz`
 * whose bytes depend only on those files: the same build gives the same `sha256` and `id`, so a
 * re-deploy of an unchanged build finds its release already on the host. Workspace packages
 * linked into node_modules stay symlinks with relative targets, so the bundle runs wherever it is
 * extracted: `node <dir>/<bins[name]>`. The bundle holds no Node binary; the host brings its own
 * (the same major version, for native addons).
 *
 * @example
 * const bundle = await buildReleaseBundle({ bins: [resolvePackageBin('packages/bus-server')] });
 * // { file: '/tmp/fleet-bundles/fleet-release-3f2a9c1b7d0e.tar.gz', id: '3f2a9c1b7d0e', bins: { 'fleet-bus': 'packages/bus-server/bin/fleet-bus.js' }, ... }
 */
export async function buildReleaseBundle(options: BuildReleaseBundleOptions): Promise<ReleaseBundle> {
  if (options.bins.length === 0) throw new BundleError('bin_not_found', 'No bins to bundle');
  const bins = options.bins.map((bin) => {
    if (!existsSync(bin)) throw new BundleError('bin_not_found', `No bin file at ${bin}`);
    return realpathSync(bin);
  });
  const names = bins.map(binName);
  const { root, entries } = await traceFiles(bins, options.root === undefined ? undefined : realpathSync(options.root));

  const out = options.out ?? join(tmpdir(), 'fleet-bundles');
  await mkdir(out, { recursive: true });
  const temp = join(out, `.fleet-release-${randomBytes(6).toString('hex')}.tar.gz.partial`);
  try {
    await writeTarball(temp, root, entries);
    const sha256 = await fileSha256(temp);
    const id = sha256.slice(0, 12);
    const file = join(out, `fleet-release-${id}.tar.gz`);
    await rename(temp, file);
    return {
      file,
      sha256,
      id,
      files: entries.length,
      bytes: (await stat(file)).size,
      bins: Object.fromEntries(bins.map((bin, index) => [names[index], relative(root, bin)])),
    };
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
