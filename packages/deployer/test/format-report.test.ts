import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closedPort } from '@fleet/test-utils/closed-port';
import { beforeAll, describe, expect, test } from 'vitest';
import { formatChanges } from '../src/cli/format-report.ts';
import { failedHostResult } from '../src/deploy/merge-results.ts';
import { REPO, tempDir } from './_fixtures.ts';

const BIN = join(REPO, 'packages/deployer/bin/fleet-deploy.js');

describe('the changes a plan prints', () => {
  test('a host the deployer could not connect to says it could not be reached, not "1 step(s) to change"', () => {
    const error = 'Could not connect to h1 (root@10.0.0.1:22): connect ECONNREFUSED 10.0.0.1:22';
    expect(formatChanges([failedHostResult('h1', 'plan', 'prepare', error)])).toEqual([
      `h1: could not be reached: ${error}`,
    ]);
  });

  test('a rollback that broke off says so', () => {
    expect(formatChanges([failedHostResult('h1', 'apply', 'rollback', 'current is back on r1')])).toEqual([
      'h1: rollback failed: current is back on r1',
    ]);
  });
});

describe('fleet-deploy plan on a host nobody answers', () => {
  beforeAll(() => {
    // The bin runs the built CLI: build the deployer if its dist/ is stale (nothing after `npm test`'s build).
    execFileSync(process.execPath, ['scripts/build.mjs', '@fleet/deployer'], { cwd: REPO, stdio: 'pipe' });
  }, 300_000);

  test('counts its steps as failed, none as to change, and exits 1', async () => {
    const dir = tempDir('unreachable');
    const config = join(dir, 'fleet.yaml');
    writeFileSync(config, `version: 1\nhosts:\n  h1: { address: 127.0.0.1, ssh: { port: ${await closedPort()} } }\n`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'plan', '--config', config, '--identity', join(dir, 'key')], (error, stdout) =>
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout }),
      );
    });
    expect(result.code).toBe(1);
    const [first, ...steps] = result.stdout.trimEnd().split('\n');
    expect(first).toBe(`h1: ${steps.length} step(s) failed`);
    for (const step of steps) expect(step).toMatch(/ FAILED: Could not connect to h1 .*ECONNREFUSED/);
  });
});
