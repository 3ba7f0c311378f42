import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { writeScript } from '../../src/deploy/ssh/internal/sudo-files.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test('a sudo write stopped by SIGTERM (its timeout) removes its temp file and leaves the target as it was', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-write-script-'));
  dirs.push(dir);
  const path = join(dir, 'target');
  writeFileSync(path, 'old\n');
  const [script, args] = writeScript(path, join(dir, '.target.tmp'), 100, {});
  // GNU `timeout`, as the host runs the script: SIGTERM to its whole process group while `cat`
  // still waits for the rest of the content.
  const child = spawn('timeout', ['-k', '5s', '1s', 'sh', '-c', script, 'sh', ...args], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin.write('part of the content');
  const [status] = await once(child, 'exit');
  child.stdin.destroy();
  expect(status).toBe(124);
  expect(readdirSync(dir)).toEqual(['target']);
  expect(readFileSync(path, 'utf8')).toBe('old\n');
});
