import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BundleError } from '../../errors.ts';
import { findPackageDir, readManifest } from './package-manifest.ts';

// The conditions Node uses to load a package on the server, in either module system.
const CONDITIONS = ['node', 'import', 'require', 'module-sync', 'default'];

/** Every file an `exports` value points to under the conditions Node may use. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(exportTargets);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (Object.keys(record).some((key) => key.startsWith('.'))) return exportTargets(record['.']);
  return CONDITIONS.filter((condition) => condition in record).flatMap((condition) => exportTargets(record[condition]));
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** The file `main` names, with Node's legacy extension and index lookups. */
function mainFile(dir: string, main: string | undefined): string | undefined {
  const base = join(dir, main ?? 'index.js');
  return [base, `${base}.js`, `${base}.json`, `${base}.node`, join(base, 'index.js')].find(isFile);
}

/**
 * The entry files of the dependencies the package in `packageDir` declares: the trace starts from
 * them too, since a package may load a dependency in ways no static analysis sees (the SDK loads
 * better-sqlite3 through `createRequire(import.meta.url)(name)`). A declared dependency that is
 * not installed fails the bundle: the bin would fail on the host.
 */
export function dependencyEntries(packageDir: string): string[] {
  const { manifest } = readManifest(packageDir);
  const entries: string[] = [];
  const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}));
  const names = [...new Set([...Object.keys(manifest.dependencies ?? {}), ...optional])].sort();
  for (const name of names) {
    const dir = findPackageDir(name, packageDir);
    if (dir === undefined) {
      if (optional.has(name)) continue;
      throw new BundleError(
        'dependency_missing',
        `${name}, a dependency of ${manifest.name ?? packageDir}, is not installed: run npm install`,
      );
    }
    const { manifest: dependency } = readManifest(dir);
    const targets = dependency.exports === undefined ? [] : exportTargets(dependency.exports);
    const files = targets.map((target) => join(dir, target)).filter(isFile);
    const main = files.length === 0 ? mainFile(dir, dependency.main) : undefined;
    entries.push(...files, ...(main === undefined ? [] : [main]));
  }
  return entries;
}
