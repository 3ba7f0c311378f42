import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { REPO } from './_fixtures.ts';

describe('the fleet-deploy bin', () => {
  beforeAll(() => {
    // The bin runs the built CLI: build the deployer if its dist/ is stale (nothing after `npm test`'s build).
    execFileSync(process.execPath, ['scripts/build.mjs', '@fleet/deployer'], { cwd: REPO, stdio: 'pipe' });
  }, 300_000);

  test('--help names the program fleet-deploy, not deploy', () => {
    const usage = execFileSync(process.execPath, [join(REPO, 'packages/deployer/bin/fleet-deploy.js'), '--help'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(usage).toMatch(/^Deploy the fleet file onto its hosts over SSH \(fleet-deploy v\d+\.\d+\.\d+.*\)$/m);
    expect(usage).toContain('USAGE fleet-deploy plan|run|rollback|audit|history|unlock|hook');
    expect(usage).toContain('Use fleet-deploy <command> --help for more information about a command.');
  });
});
