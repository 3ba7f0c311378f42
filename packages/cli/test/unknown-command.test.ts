import { describe, expect, test } from 'vitest';
import { runFleet } from './_fleet.ts';

const KNOWN = 'fleet: unknown command "deploy"; commands: up, doctor, status';

describe('fleet with an unknown command', () => {
  test.each([[['deploy']], [['deploy', '--help']], [['deploy', '--config', 'fleet.yaml']]])(
    '%j names the known commands in one line and exits 2',
    async (argv) => {
      expect(await runFleet(argv)).toEqual({ code: 2, stdout: '', stderr: `${KNOWN}\n` });
    },
  );

  test('--help of a known command still prints its usage', async () => {
    const run = await runFleet(['status', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('USAGE fleet status');
  });
});
