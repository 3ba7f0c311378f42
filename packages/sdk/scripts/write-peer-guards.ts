import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type EntryPoint, entryPoints, implementationName } from '../entry-points.ts';

/** The version ranges of the SDK's peer dependencies, as `package.json` declares them. */
function peerRanges(packageDir: string): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    peerDependencies?: Record<string, string>;
  };
  return manifest.peerDependencies ?? {};
}

/**
 * The published file of an entry with optional peers: it resolves each peer first and, when one is
 * missing, throws one error naming what to install, instead of Node's `ERR_MODULE_NOT_FOUND` from
 * deep inside the bundle. Only then does it load the entry's code and re-export its names.
 */
function guardSource(entry: EntryPoint, names: readonly string[], ranges: Record<string, string>): string {
  const peers = entry.peers.map((name) => [name, ranges[name] ?? 'latest']);
  const subpath = `@fleet/sdk${entry.subpath.slice(1)}`;
  return `// Written by @fleet/sdk's build (scripts/write-peer-guards.ts): the optional peer dependencies
// of ${subpath} are checked before its code loads.
const peers = ${JSON.stringify(Object.fromEntries(peers))};
// import.meta.resolve is synchronous from Node 20.6 on; before that the import below speaks for itself.
const missing = typeof import.meta.resolve !== 'function' ? [] : Object.keys(peers).filter((name) => {
  try {
    import.meta.resolve(name);
    return false;
  } catch (error) {
    // Only a package that is not there: any other resolve error speaks for itself at the import.
    return error?.code === 'ERR_MODULE_NOT_FOUND';
  }
});
if (missing.length > 0) {
  const install = missing.map((name) => \`\${name}@\${peers[name]}\`).join(' ');
  const names = missing.length === 1 ? missing[0] : \`\${missing.slice(0, -1).join(', ')} and \${missing.at(-1)}\`;
  const error = new Error(\`${subpath} needs \${names}, not installed here: npm install \${install}\`);
  error.code = 'ERR_FLEET_MISSING_PEER';
  throw error;
}
const entry = await import('./${implementationName(entry)}.js');
export const { ${names.join(', ')} } = entry;
`;
}

/**
 * Writes `dist/<name>.js` for every entry with optional peers, over the code tsup built into
 * `dist/<name>-impl.js` (whose names it re-exports). Types come from `dist/<name>-impl.d.ts`.
 */
export async function writePeerGuards(packageDir: string): Promise<void> {
  const ranges = peerRanges(packageDir);
  for (const entry of entryPoints) {
    if (entry.peers.length === 0) continue;
    const implementation = join(packageDir, 'dist', `${implementationName(entry)}.js`);
    const names = Object.keys(await import(`${pathToFileURL(implementation).href}?t=${Date.now()}`)).sort();
    // `export const { ... } = entry` cannot re-export a default export.
    if (names.includes('default')) throw new Error(`${entry.source} must not have a default export`);
    writeFileSync(join(packageDir, 'dist', `${entry.name}.js`), guardSource(entry, names, ranges));
  }
}
