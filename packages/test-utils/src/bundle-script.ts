import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The repository's root: bundles go under its node_modules/.cache, where installed packages resolve. */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const bundles = new Map<string, Promise<string>>();
const dirs: string[] = [];

/**
 * A TypeScript child script (`entry`, e.g. `new URL('./_child.ts', import.meta.url)`) bundled into one
 * plain `.mjs` file that Node 20 runs (it runs no TypeScript), once per test file and entry: Fleet's
 * packages from their sources (the `@fleet/source` condition), every other package as installed
 * (left to the child to import). Remove the bundles with {@link removeScriptBundles} in `afterAll`.
 */
export function bundleScript(entry: URL): Promise<string> {
  const key = entry.href;
  let bundled = bundles.get(key);
  if (!bundled) {
    bundled = (async () => {
      const cache = join(REPO, 'node_modules/.cache');
      mkdirSync(cache, { recursive: true });
      const dir = mkdtempSync(join(cache, 'fleet-test-child-'));
      dirs.push(dir);
      const outfile = join(dir, 'child.mjs');
      await build({
        entryPoints: [fileURLToPath(entry)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        conditions: ['@fleet/source'],
        outfile,
        logLevel: 'error',
        plugins: [
          {
            name: 'installed-packages',
            setup(setup) {
              setup.onResolve({ filter: /^[^./]/ }, (args) =>
                args.path.startsWith('@fleet/') ? undefined : { path: args.path, external: true },
              );
            },
          },
        ],
      });
      return outfile;
    })();
    bundles.set(key, bundled);
  }
  return bundled;
}

/** Removes every bundle {@link bundleScript} made in this test file. */
export function removeScriptBundles(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  bundles.clear();
}
