import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildReleaseBundle } from '../src/bundle/build-release-bundle.ts';
import { tempDir } from './_fixtures.ts';

/**
 * A project as `npm install` leaves it: no workspace, every package a real directory under
 * `node_modules`, scoped ones under `node_modules/@scope/`. The bin of `@scope/app` imports
 * `@scope/lib` by name, which imports the unscoped `greeting`; run, it prints `hello from @scope/lib`.
 */
function installedProject(): { project: string; bin: string } {
  const project = tempDir('installed');
  const modules = join(project, 'node_modules/@scope');
  mkdirSync(join(modules, 'app/bin'), { recursive: true });
  mkdirSync(join(modules, 'lib'), { recursive: true });
  mkdirSync(join(project, 'node_modules/greeting'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-project', private: true }));
  writeFileSync(
    join(modules, 'app/package.json'),
    JSON.stringify({
      name: '@scope/app',
      type: 'module',
      bin: { 'scoped-app': './bin/app.js' },
      dependencies: { '@scope/lib': '*' },
    }),
  );
  writeFileSync(join(modules, 'app/bin/app.js'), "import { greeting } from '@scope/lib';\nconsole.log(greeting);\n");
  writeFileSync(
    join(modules, 'lib/package.json'),
    JSON.stringify({ name: '@scope/lib', type: 'module', exports: './index.js', dependencies: { greeting: '*' } }),
  );
  writeFileSync(join(modules, 'lib/index.js'), "export { greeting } from 'greeting';\n");
  writeFileSync(
    join(project, 'node_modules/greeting/package.json'),
    JSON.stringify({ name: 'greeting', type: 'module', exports: './index.js' }),
  );
  writeFileSync(join(project, 'node_modules/greeting/index.js'), "export const greeting = 'hello from @scope/lib';\n");
  return { project, bin: join(modules, 'app/bin/app.js') };
}

/** Extracts a bundle with the system's tar, as a host would. */
function extract(file: string): string {
  const dir = tempDir('extracted');
  execFileSync('tar', ['-xzf', file, '-C', dir]);
  return dir;
}

describe('buildReleaseBundle in a project installed from the registry', () => {
  test('the bundle keeps node_modules, and the scoped bin runs extracted elsewhere', async () => {
    const { bin } = installedProject();
    const bundle = await buildReleaseBundle({ bins: [bin], out: tempDir('out') });
    expect(bundle.bins).toEqual({ 'scoped-app': 'node_modules/@scope/app/bin/app.js' });
    const dir = extract(bundle.file);
    expect(execFileSync(process.execPath, [join(dir, bundle.bins['scoped-app'] ?? '')], { encoding: 'utf8' })).toBe(
      'hello from @scope/lib\n',
    );
  });

  test('a root whose entries start with @ packs those files, not archives named after them', async () => {
    const { project, bin } = installedProject();
    const bundle = await buildReleaseBundle({ bins: [bin], out: tempDir('out'), root: join(project, 'node_modules') });
    expect(bundle.bins).toEqual({ 'scoped-app': '@scope/app/bin/app.js' });
    const dir = extract(bundle.file);
    expect(existsSync(join(dir, '@scope/app/bin/app.js'))).toBe(true);
    expect(existsSync(join(dir, '@scope/lib/index.js'))).toBe(true);
    expect(existsSync(join(dir, 'greeting/index.js'))).toBe(true);
  });
});
