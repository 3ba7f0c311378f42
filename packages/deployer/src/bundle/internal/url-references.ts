import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { BundleError } from '../../errors.ts';
import { nearestManifestFile, readManifest } from './package-manifest.ts';

// `new URL('./x.js', import.meta.url)` with a literal relative path: how a module names a file it
// loads by path (a worker thread's script, a data file) next to itself, as bundlers emit it.
const URL_REFERENCE = /new\s+URL\(\s*(['"`])(\.{1,2}\/[^'"`$\\\n]*)\1\s*,\s*import\.meta\.url\s*\)/g;
const SCANNED = /\.[cm]?js$/;

/**
 * Whether the match at `index` sits on a comment line: one that starts with `//`, `/*` or a JSDoc
 * `*`. A `//` later on a line is no sign (minified code is one line, with `https://` in strings).
 */
function inComment(source: string, index: number): boolean {
  const line = source.slice(source.lastIndexOf('\n', index) + 1, index);
  return /^\s*(\/\/|\/\*|\*)/.test(line);
}

/** The directory of the package `file` belongs to: the nearest package.json that has a `name`. */
function packageRoot(file: string): string | undefined {
  for (let manifest = nearestManifestFile(dirname(file)); manifest !== undefined; ) {
    const dir = dirname(manifest);
    if (readManifest(dir).manifest.name !== undefined) return dir;
    const parent = dirname(dir);
    manifest = parent === dir ? undefined : nearestManifestFile(parent);
  }
  return undefined;
}

/**
 * The files the JavaScript file `file` (absolute, real) loads by `new URL('<relative path>',
 * import.meta.url)`, as absolute paths: module tracing does not see them (the SDK starts its pull
 * worker thread from `new URL('./page-puller-worker.js', import.meta.url)`), and nft's general file
 * references are off (see trace-files.ts). Only files inside the referencing file's own package are
 * taken; directories are not. A file outside `node_modules` (a workspace package's build) that
 * names a file missing from its package fails with `unresolved_import`, as a missing import does:
 * the bins would run without it on the host.
 */
export function urlReferences(file: string): string[] {
  if (!SCANNED.test(file)) return [];
  const source = readFileSync(file, 'utf8');
  if (!source.includes('import.meta.url')) return [];
  const root = packageRoot(file);
  const found = new Set<string>();
  for (const match of source.matchAll(URL_REFERENCE)) {
    const reference = match[2] ?? '';
    if (inComment(source, match.index)) continue;
    const target = resolve(dirname(file), reference);
    if (root === undefined || !target.startsWith(`${root}${sep}`)) continue;
    if (!existsSync(target)) {
      if (file.split(sep).includes('node_modules')) continue;
      throw new BundleError(
        'unresolved_import',
        `${file} loads ${reference} (new URL(..., import.meta.url)), which does not exist (is its package built?)`,
      );
    }
    if (statSync(target).isFile()) found.add(target);
  }
  return [...found];
}
