import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { nodeFileTrace } from '@vercel/nft';
import { BundleError } from '../../errors.ts';
import { dependencyEntries } from './dependency-entries.ts';
import { nearestManifestFile } from './package-manifest.ts';
import { urlReferences } from './url-references.ts';

/** One entry of the bundle, by its path relative to the bundle's root. */
export type TracedEntry = { path: string; type: 'file' } | { path: string; type: 'symlink'; target: string };

/** What {@link traceFiles} found: the bundle's root directory and its entries, sorted by path. */
export interface TracedFiles {
  root: string;
  entries: TracedEntry[];
}

// Pseudo-file systems a package may name (prom-client reads /proc/<pid>/limits): never bundled.
const IGNORED = ['proc/**', 'sys/**', 'dev/**'];
const SCRIPT = /\.[cm]?js$/;
const UNRESOLVED = /^Failed to resolve dependency "(\.{1,2}\/[^"]*)":[\s\S]*loaded from (.*)$/;

/** The deepest directory that holds every one of `paths` (absolute). */
function commonDir(paths: readonly string[]): string {
  let common = dirname(paths[0] ?? sep);
  for (const path of paths) {
    while (common !== dirname(common) && !`${path}${sep}`.startsWith(`${common}${sep}`)) common = dirname(common);
  }
  return common;
}

/**
 * `dir`, or, when it is a `node_modules` directory or lies in one, the directory that (innermost)
 * `node_modules` is in. Node finds a package only inside a directory named `node_modules`, so a
 * bundle rooted in one (an npm-installed project's files all live in `<project>/node_modules`)
 * would extract its packages where no import can find them.
 */
function outsideNodeModules(dir: string): string {
  const parts = dir.split(sep);
  const at = parts.lastIndexOf('node_modules');
  return at === -1 ? dir : parts.slice(0, at).join(sep) || sep;
}

const inside = (root: string, path: string): boolean => path === root || path.startsWith(`${root}${sep}`);

/**
 * The files nft traces from `inputs` through their imports, as absolute paths. Fails on an import
 * of a workspace file that does not exist.
 */
async function traceModules(inputs: string[], base: string, cache: object): Promise<string[]> {
  // Modules only: no files found by evaluating fs calls or globs. Those guesses reach outside the
  // project (a default of `~/.ssh/known_hosts` made nft list the home directory); native addons
  // come in through the dependency entries and nft's cases for `bindings` and `node-gyp-build`.
  const result = await nodeFileTrace(inputs, {
    base,
    ignore: IGNORED,
    analysis: { emitGlobs: false, computeFileReferences: false },
    cache,
  });
  for (const warning of result.warnings) {
    const match = UNRESOLVED.exec(warning.message);
    if (match?.[2] !== undefined && !match[2].split(sep).includes('node_modules')) {
      throw new BundleError(
        'unresolved_import',
        `${match[2]} imports ${match[1]}, which does not exist (is its package built?)`,
        { cause: warning },
      );
    }
  }
  return [...result.fileList].map((file) => (isAbsolute(file) ? file : join(base, file)));
}

/**
 * The files `bins` need at run time, traced by @vercel/nft from the bins and from the entries of
 * their packages' declared dependencies, plus the package.json nearest to each (Node reads it for
 * the module type). Files are taken at their real paths; a symlink on the way (a workspace
 * package linked into node_modules) is kept as a symlink, made relative, so the bundle works
 * wherever it is extracted. Every path and symlink target must lie under `root` (by default the
 * deepest directory holding them all, or the project whose `node_modules` that is).
 */
export async function traceFiles(bins: readonly string[], root: string | undefined): Promise<TracedFiles> {
  const packageDirs = new Set(bins.map((bin) => dirname(nearestManifestFile(dirname(bin)) ?? bin)));
  const inputs = [...bins, ...[...packageDirs].flatMap((dir) => dependencyEntries(dir))];
  const base = root ?? sep;
  // What nft's module analysis misses, found by urlReferences: files loaded by
  // `new URL('./x.js', import.meta.url)` (the SDK's pull worker). Scripts among them are traced
  // as inputs of their own, so the chunks they import come too; other files are taken as they are.
  const referenced = new Set<string>();
  const scanned = new Set<string>();
  const cache = {};
  let fileList: string[];
  for (;;) {
    fileList = await traceModules([...inputs, ...[...referenced].filter((file) => SCRIPT.test(file))], base, cache);
    const found = fileList
      .filter((file) => !scanned.has(file))
      .flatMap((file) => {
        scanned.add(file);
        return urlReferences(realpathSync(file));
      })
      .filter((file) => !referenced.has(file));
    if (found.length === 0) break;
    for (const file of found) referenced.add(file);
  }

  const files = new Set<string>();
  const links = new Map<string, string>();
  const add = (path: string): void => {
    // The real directory, so that no entry sits below a symlinked directory of the bundle.
    const real = join(realpathSync(dirname(path)), basename(path));
    if (files.has(real) || links.has(real)) return;
    const stats = lstatSync(real);
    if (stats.isSymbolicLink()) {
      const target = resolve(dirname(real), readlinkSync(real));
      links.set(real, target);
      add(target);
    } else if (stats.isFile()) {
      files.add(real);
      const manifest = nearestManifestFile(dirname(real));
      if (manifest !== undefined) add(manifest);
    }
  };
  for (const file of [...fileList, ...referenced]) add(file);

  const all = [...files, ...links.keys(), ...links.values()];
  const bundleRoot = root ?? outsideNodeModules(commonDir(all));
  const outside = all.find((path) => !inside(bundleRoot, path));
  if (outside !== undefined || bundleRoot === sep) {
    throw new BundleError(
      'outside_root',
      `The bins need ${outside ?? 'files all over the file system'}, outside ${bundleRoot === sep ? 'any project directory' : bundleRoot}`,
    );
  }
  const entries: TracedEntry[] = [
    ...[...files].map((path): TracedEntry => ({ path: relative(bundleRoot, path), type: 'file' })),
    ...[...links].map(
      ([path, target]): TracedEntry => ({
        path: relative(bundleRoot, path),
        type: 'symlink',
        target: relative(dirname(path), target) || '.',
      }),
    ),
  ];
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root: bundleRoot, entries };
}
