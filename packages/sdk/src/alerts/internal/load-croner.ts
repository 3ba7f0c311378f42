import { createRequire } from 'node:module';
import type * as Croner from 'croner';

let loaded: typeof Croner | undefined;

/**
 * Loads croner, an optional peer dependency, on first use: importing the SDK never loads it, and a
 * missing copy is one clear error when a fleet file with `alerts.reports` is read or a report
 * schedule starts.
 */
export function loadCroner(): typeof Croner {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('croner') as typeof Croner;
    return loaded;
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND';
    throw new Error(
      missing
        ? 'scheduled reports need the croner package: npm install croner@^11.0.1'
        : `croner is installed but failed to load: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
