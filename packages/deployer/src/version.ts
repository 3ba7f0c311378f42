import { createRequire } from 'node:module';

/**
 * The version of `@fleet/deployer`. This file sits at the top of `src/`, like the built chunks in
 * `dist/`, so `../package.json` resolves in both.
 */
export const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
