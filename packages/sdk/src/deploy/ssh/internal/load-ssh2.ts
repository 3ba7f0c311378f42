import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';

let loaded: typeof Ssh2 | undefined;

/**
 * Loads ssh2, an optional peer dependency, on first use: importing `@fleet/sdk/deploy` never
 * loads it, and a missing copy is one clear error when an SSH executor first connects.
 */
export function loadSsh2(): typeof Ssh2 {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('ssh2') as typeof Ssh2;
    return loaded;
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';
    throw new Error(
      missing
        ? 'the SSH executor needs the ssh2 package: npm install ssh2@^1.17.0'
        : `ssh2 is installed but failed to load: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
