import { describe, expect, test } from 'vitest';
import { auditFleet } from '../src/deploy/audit.ts';
import { deploy } from '../src/deploy/deploy.ts';
import { isDeployUsageError } from '../src/deploy/deploy-usage-error.ts';

// A program calling deploy() names its fleet file with the `config` option, not a --config flag:
// the library says what is missing, and the command lines add the flag that fixes it.

describe('a fleet file that does not exist', () => {
  test.each([
    ['deploy()', () => deploy({ config: '/nonexistent/fleet.yaml', mode: 'plan' })],
    ['auditFleet()', () => auditFleet({ config: '/nonexistent/fleet.yaml' })],
  ])('%s rejects with a DeployUsageError naming the file, without a command-line hint', async (_, run) => {
    const error = await run().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isDeployUsageError(error)).toBe(true);
    expect((error as Error).message).toBe('no fleet file at /nonexistent/fleet.yaml');
    expect(error).toMatchObject({ missingFile: '/nonexistent/fleet.yaml', problems: [] });
  });
});
