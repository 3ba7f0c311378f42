import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildReleaseBundle } from '../src/bundle/build-release-bundle.ts';
import { isBundleError } from '../src/errors.ts';
import { fixtureProject, tempDir } from './_fixtures.ts';

/**
 * The fixture project, its bin's `dist/cli.js` replaced by one that runs a worker thread from
 * `new URL('./worker.js', import.meta.url)` (the way the SDK starts its pull worker) and reads a
 * text file the same way. The worker imports `./shared.js`, which no module imports otherwise.
 * Run, the bin prints `hello from the worker, 42`.
 */
function workerProject(): { root: string; bin: string } {
  const project = fixtureProject('relative');
  const dist = join(project.root, 'app/dist');
  writeFileSync(
    join(dist, 'cli.js'),
    [
      "import { readFileSync } from 'node:fs';",
      "import { Worker } from 'node:worker_threads';",
      "import { greeting } from 'lib';",
      "// new URL('./mentioned-in-a-comment.js', import.meta.url) is no reference",
      // Minified code: one line, with a `//` in a string before the reference.
      "const site = 'https://example.org'; const answer = readFileSync(new URL('./answer.txt', import.meta.url), 'utf8').trim();",
      "void new URL('../../outside.txt', import.meta.url);",
      "const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { greeting, answer } });",
      "worker.once('message', (text) => { console.log(text); });",
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dist, 'worker.js'),
    [
      "import { parentPort, workerData } from 'node:worker_threads';",
      "import { from } from './shared.js';",
      "parentPort.postMessage(workerData.greeting.replace('from lib', from) + ', ' + workerData.answer);",
      '',
    ].join('\n'),
  );
  writeFileSync(join(dist, 'shared.js'), "export const from = 'from the worker';\n");
  writeFileSync(join(dist, 'answer.txt'), '42\n');
  writeFileSync(join(project.root, 'outside.txt'), 'not part of the app\n');
  return project;
}

describe('files a bundled module loads by new URL(..., import.meta.url)', () => {
  test('a worker script, the modules it imports and a data file come along, and the bin runs extracted', async () => {
    const { bin } = workerProject();
    const bundle = await buildReleaseBundle({ bins: [bin], out: tempDir('out') });
    const dir = tempDir('extracted');
    execFileSync('tar', ['-xzf', bundle.file, '-C', dir]);
    for (const file of ['worker.js', 'shared.js', 'answer.txt']) {
      expect(existsSync(join(dir, 'app/dist', file)), file).toBe(true);
    }
    expect(existsSync(join(dir, 'outside.txt'))).toBe(false);
    expect(existsSync(join(dir, 'app/dist/mentioned-in-a-comment.js'))).toBe(false);
    expect(execFileSync(process.execPath, [join(dir, bundle.bins['fixture-app'] ?? '')], { encoding: 'utf8' })).toBe(
      'hello from the worker, 42\n',
    );
  });

  test('a workspace module that loads a missing file that way fails the bundle, naming the file', async () => {
    const { root, bin } = workerProject();
    writeFileSync(
      join(root, 'app/dist/shared.js'),
      "export const from = 'from the worker';\nexport const helper = new URL('./helper-worker.js', import.meta.url);\n",
    );
    const error = await buildReleaseBundle({ bins: [bin], out: tempDir('out') }).catch((caught: unknown) => caught);
    expect(isBundleError(error) && error.code).toBe('unresolved_import');
    expect((error as Error).message).toContain('./helper-worker.js');
  });
});
