import { isAbsolute, join, normalize } from 'node:path';
import { DeployError } from '../errors.ts';

/**
 * Where the absolute host path `path` lives under `root` (a temp directory standing in for `/` in
 * tests, or `/` itself). Relative paths are refused.
 */
export function underRoot(root: string, path: string): string {
  if (!isAbsolute(path)) throw new DeployError('invalid_path', `Expected an absolute host path, got "${path}"`);
  // An absolute path normalizes without `..` (`/..` is `/`), so it cannot climb out of the root.
  const normal = normalize(path);
  return root === '/' ? normal : join(root, normal);
}
