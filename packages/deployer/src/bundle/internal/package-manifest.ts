import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The fields of a package.json the bundle builder reads. */
export interface PackageManifest {
  name?: string;
  main?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** A package.json and the directory it describes. */
export interface FoundManifest {
  dir: string;
  file: string;
  manifest: PackageManifest;
}

/** Reads the package.json in `dir`. */
export function readManifest(dir: string): FoundManifest {
  const file = join(dir, 'package.json');
  return { dir, file, manifest: JSON.parse(readFileSync(file, 'utf8')) as PackageManifest };
}

/** The nearest package.json at or above `dir` (what Node reads for a file's module type), if any. */
export function nearestManifestFile(dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const file = join(at, 'package.json');
    if (existsSync(file)) return file;
    if (dirname(at) === at) return undefined;
  }
}

/** The directory of package `name` as Node would find it from `dir` (`node_modules` up the tree). */
export function findPackageDir(name: string, dir: string): string | undefined {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(at) === at) return undefined;
  }
}
