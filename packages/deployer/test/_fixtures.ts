import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { buildReleaseBundle, type ReleaseBundle } from '../src/bundle/build-release-bundle.ts';
import { resolvePackageBin } from '../src/bundle/resolve-package-bin.ts';

/** The repository's root directory. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory outside the repository, removed after the suite. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `fleet-deployer-${prefix}-`));
  temps.push(dir);
  return dir;
}

/**
 * A project of its own: a bin in `app/` that imports `lib` (linked into `app/node_modules` the way a
 * workspace is, absolutely or relatively) and a file of its own `dist/`. Run, it prints `hello from lib`.
 */
export function fixtureProject(link: 'absolute' | 'relative' = 'relative'): { root: string; bin: string } {
  const root = tempDir('project');
  const app = join(root, 'app');
  mkdirSync(join(app, 'bin'), { recursive: true });
  mkdirSync(join(app, 'dist'));
  mkdirSync(join(app, 'node_modules'));
  mkdirSync(join(root, 'lib'));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'app', type: 'module', bin: { 'fixture-app': './bin/app.js' }, dependencies: { lib: '*' } }),
  );
  writeFileSync(join(app, 'bin/app.js'), "import '../dist/cli.js';\n");
  writeFileSync(join(app, 'dist/cli.js'), "import { greeting } from 'lib';\nconsole.log(greeting);\n");
  writeFileSync(join(root, 'lib/package.json'), JSON.stringify({ name: 'lib', type: 'module', exports: './index.js' }));
  writeFileSync(join(root, 'lib/index.js'), "export const greeting = 'hello from lib';\n");
  symlinkSync(link === 'absolute' ? join(root, 'lib') : '../../lib', join(app, 'node_modules/lib'));
  return { root, bin: join(app, 'bin/app.js') };
}

/** The bins of the bus and knowledge servers in this checkout. */
export function serverBins(): string[] {
  return ['bus-server', 'knowledge-server'].map((name) => resolvePackageBin(join(REPO, 'packages', name)));
}

/**
 * The release bundle of the given server bins, built from a fresh build: the bundle is made of the
 * servers' dist/, so this builds what is stale first (nothing, after the root `npm test`'s build).
 */
export async function serversBundle(bins = serverBins()): Promise<ReleaseBundle> {
  execFileSync(process.execPath, ['scripts/build.mjs', '@fleet/bus-server', '@fleet/knowledge-server'], {
    cwd: REPO,
    stdio: 'pipe',
  });
  return buildReleaseBundle({ bins, out: tempDir('out') });
}
