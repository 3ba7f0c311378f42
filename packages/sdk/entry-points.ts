/**
 * The public entries of `@fleet/sdk`, by who imports them: one row each, read by the build
 * (`tsup.config.ts`), the peer guards it writes, and the tests that pin each entry's import closure
 * and export names. `package.json`'s `exports` must list the same subpaths (a test checks).
 */
export interface EntryPoint {
  /** The subpath in `package.json` `exports`, e.g. `./server`. */
  subpath: string;
  /** The built file's name in `dist/`, without `.js`. Every entry sits at the top of `dist/`. */
  name: string;
  /** The barrel it is built from, relative to the package. */
  source: string;
  /**
   * Optional peer dependencies the entry imports statically. The published entry checks that they
   * resolve before loading the rest, and names the packages to install when one does not.
   */
  peers: readonly string[];
}

export const entryPoints: readonly EntryPoint[] = [
  // What an agent needs: schemas, route contracts, errors, clients. zod and ky only.
  { subpath: '.', name: 'index', source: 'src/index.ts', peers: [] },
  // Message stores, KnowledgeDB, SyncEngine. better-sqlite3 is loaded when a SQLite store is built.
  { subpath: './stores', name: 'stores', source: 'src/stores/index.ts', peers: [] },
  // The fleet file and the health monitor (its history loads better-sqlite3 when opened).
  { subpath: './fleet', name: 'fleet', source: 'src/fleet/index.ts', peers: ['yaml'] },
  // The h3 plumbing every Fleet server shares.
  { subpath: './server', name: 'server', source: 'src/server/index.ts', peers: ['h3', 'prom-client', 'srvx'] },
  // What the command lines share.
  { subpath: './cli', name: 'cli', source: 'src/cli/index.ts', peers: ['citty', 'consola'] },
  // The demo agent of `fleet up`.
  { subpath: './demo', name: 'demo', source: 'src/demo/index.ts', peers: [] },
  // The deploy phase runner and the SSH host-key checks (diff renders file changes in plan mode).
  { subpath: './deploy', name: 'deploy', source: 'src/deploy/index.ts', peers: ['diff'] },
];

/** The file tsup builds an entry's code into: the entry itself, or behind its peer guard. */
export function implementationName(entry: EntryPoint): string {
  return entry.peers.length === 0 ? entry.name : `${entry.name}-impl`;
}
