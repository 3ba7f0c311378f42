import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasPostgres, startPostgres, type TestPostgres } from '@fleet/test-utils/postgres';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

let server: TestPostgres | undefined;
let dir: string;
let script: string;

/** Runs the script to its end: its exit code and what it printed. */
function run(url: string, mode: 'close' | 'forget'): Promise<{ code: number | null; stdout: string }> {
  // The store loads pg with require(): from the repository's node_modules, the bundle being elsewhere.
  const env = { ...process.env, NODE_PATH: fileURLToPath(new URL('../../../node_modules', import.meta.url)) };
  const child = spawn(process.execPath, [script, url, mode], { stdio: ['ignore', 'pipe', 'inherit'], env });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
}

describe.skipIf(!hasPostgres())('a script using PostgresMessageStore', () => {
  beforeAll(async () => {
    server = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'fleet-pg-script-'));
    script = join(dir, 'pg-script.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./_pg-script.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['@fleet/source'],
      outfile: script,
      logLevel: 'error',
    });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // Exit code 13 is Node's "unsettled top-level await": the event loop emptied while close() waited
  // for a connection whose socket was unref'd.
  test('that closes its store runs to its end and exits 0', async () => {
    expect(await run(await server!.createDatabase(), 'close')).toEqual({ code: 0, stdout: 'done\n' });
  });

  test('that forgets to close its store still exits once its work is done', async () => {
    expect(await run(await server!.createDatabase(), 'forget')).toEqual({ code: 0, stdout: 'done\n' });
  });
});
