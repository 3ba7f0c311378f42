import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';
import { entryPoints, implementationName } from '../../entry-points.ts';

// What each entry of @fleet/sdk loads and exports, pinned: an import that pulls a new package or
// Node module into an entry, or a public name that appears or disappears, fails here and shows
// up in review. The closure is what esbuild bundles from the entry's source (type-only imports
// are erased, as at run time); the export names are those of the loaded module.

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${packageDir}package.json`, 'utf8')) as {
  exports: Record<string, { types: string; default: string } | string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

interface Closure {
  /** Source files of the SDK the entry loads. */
  files: string[];
  /** Packages and Node modules it imports, sorted. */
  external: string[];
}

// Each entry is bundled once, for its own test and for the snapshot of all of them.
const closures = new Map<string, Promise<Closure>>();

function closureOf(source: string): Promise<Closure> {
  let closure = closures.get(source);
  if (!closure) {
    closure = bundleClosure(source);
    closures.set(source, closure);
  }
  return closure;
}

async function bundleClosure(source: string): Promise<Closure> {
  const result = await build({
    entryPoints: [`${packageDir}${source}`],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
    // Input paths relative to the package, whatever directory vitest runs from.
    absWorkingDir: packageDir,
  });
  const inputs = result.metafile.inputs;
  const external = new Set<string>();
  for (const input of Object.values(inputs)) {
    for (const imported of input.imports) if (imported.external) external.add(imported.path);
  }
  return { files: Object.keys(inputs), external: [...external].sort() };
}

const packageOf = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
const isNodeModule = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);

describe('@fleet/sdk entry points', () => {
  test('package.json exports exactly the entries of entry-points.ts, each built to the top of dist/', () => {
    const subpaths = Object.keys(manifest.exports).filter((subpath) => subpath !== './package.json');
    expect(subpaths).toEqual(entryPoints.map((entry) => entry.subpath));
    for (const entry of entryPoints) {
      expect(manifest.exports[entry.subpath]).toEqual({
        '@fleet/source': `./${entry.source}`,
        types: `./dist/${implementationName(entry)}.d.ts`,
        default: `./dist/${entry.name}.js`,
      });
    }
  });

  test('the root entry loads zod and ky and nothing else: no Node module, no peer dependency', async () => {
    const { external, files } = await closureOf('src/index.ts');
    expect(external).toEqual(['ky', 'zod']);
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['ky', 'zod']);
    // The client side only: no store, server, fleet file, monitor or demo code.
    expect(files.every((file) => file.startsWith('src/'))).toBe(true);
    const areas = new Set(files.map((file) => file.replace(/^src\//, '').split('/')[0]));
    expect([...areas].sort()).toMatchInlineSnapshot(`
      [
        "alerts",
        "bus",
        "client",
        "contract",
        "dashboard",
        "deploy-hook",
        "errors.ts",
        "index.ts",
        "internal",
        "knowledge",
        "schemas",
      ]
    `);
    for (const file of files) expect(file).not.toMatch(/sqlite|sync-engine|knowledge-db|memory-store|\/server\//);
  });

  test.each(entryPoints)('$subpath imports only its own dependencies, peers and Node modules', async (entry) => {
    const { external } = await closureOf(entry.source);
    const packages = [...new Set(external.filter((specifier) => !isNodeModule(specifier)).map(packageOf))];
    for (const name of packages) {
      expect(
        name in manifest.dependencies || name in manifest.peerDependencies,
        `${entry.subpath} imports ${name}, which package.json does not declare`,
      ).toBe(true);
    }
    // A peer imported statically must be guarded (named in entry-points.ts), so that a missing one
    // gives one clear error; better-sqlite3 is loaded lazily and names itself.
    const staticPeers = packages.filter((name) => name in manifest.peerDependencies);
    expect(staticPeers.sort()).toEqual([...entry.peers].sort());
  });

  test('what each entry imports from outside the SDK', async () => {
    const closures: Record<string, string[]> = {};
    for (const entry of entryPoints) closures[entry.subpath] = (await closureOf(entry.source)).external;
    expect(closures).toMatchInlineSnapshot(`
      {
        ".": [
          "ky",
          "zod",
        ],
        "./cli": [
          "citty",
          "consola/core",
          "node:util",
        ],
        "./demo": [
          "ky",
          "node:http",
          "zod",
        ],
        "./deploy": [
          "diff",
          "node:child_process",
          "node:crypto",
          "node:fs",
          "node:fs/promises",
          "node:module",
          "node:os",
          "node:path",
          "node:timers/promises",
          "zod",
        ],
        "./fleet": [
          "ky",
          "node:events",
          "node:fs",
          "node:fs/promises",
          "node:module",
          "node:path",
          "yaml",
          "zod",
        ],
        "./server": [
          "h3",
          "h3/node",
          "node:crypto",
          "node:http",
          "node:net",
          "prom-client",
          "srvx/node",
          "zod",
        ],
        "./stores": [
          "ky",
          "node:crypto",
          "node:fs",
          "node:module",
          "node:os",
          "node:path",
          "node:timers/promises",
          "node:url",
          "node:worker_threads",
          "zod",
        ],
      }
    `);
  });

  test.each(entryPoints)('$subpath exports the names in its snapshot', async (entry) => {
    const module = (await import(`${packageDir}${entry.source}`)) as Record<string, unknown>;
    const file = entry.subpath === '.' ? 'exports.txt' : `exports-${entry.name}.txt`;
    await expect(`${Object.keys(module).sort().join('\n')}\n`).toMatchFileSnapshot(`./__snapshots__/${file}`);
  });

  test.each(entryPoints)('the built $subpath exports the same names as its source', async (entry) => {
    const built = `${packageDir}dist/${entry.name}.js`;
    if (!existsSync(built)) throw new Error('packages/sdk/dist is missing: run `npm run build` first');
    const [fromSource, fromBuild] = await Promise.all([import(`${packageDir}${entry.source}`), import(built)]);
    expect(Object.keys(fromBuild).sort()).toEqual(Object.keys(fromSource).sort());
  });
});

describe('the built @fleet/sdk', () => {
  test('finds its pull worker script next to the chunk that starts it', () => {
    const dist = `${packageDir}dist/`;
    if (!existsSync(dist)) throw new Error('packages/sdk/dist is missing: run `npm run build` first');
    const starters = readdirSync(dist).filter(
      (file) =>
        file.endsWith('.js') && readFileSync(`${dist}${file}`, 'utf8').includes('new URL("./page-puller-worker.js"'),
    );
    // PullWorker resolves the script relative to its own file: that file must sit at the top of
    // dist/ too, or the SyncEngine quietly pulls in its own thread.
    expect(starters).not.toEqual([]);
    expect(existsSync(`${dist}page-puller-worker.js`)).toBe(true);
  });
});
