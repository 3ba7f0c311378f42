import { describe, expect, test } from 'vitest';
import { runFleet } from './_fleet.ts';

const KNOWN = 'fleet: unknown command "launch"; commands: up, doctor, status, report, agent, alerts, silence, deploy';

describe('fleet with an unknown command', () => {
  test.each([[['launch']], [['launch', '--help']], [['launch', '--config', 'fleet.yaml']]])(
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

describe('fleet deploy on a bad command line', () => {
  test('without a command it names the deploy commands and exits 2', async () => {
    expect(await runFleet(['deploy'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'fleet: missing command; deploy commands: plan, run, rollback, audit, history, unlock, hook\n',
    });
  });

  test.each(['run', 'rollback', 'audit', 'history', 'unlock'])(
    'a missing fleet file is the same one line and exit 2 for deploy %s',
    async (command) => {
      expect(await runFleet(['deploy', command, '--config', 'no-such-fleet.yaml'])).toMatchObject({
        code: 2,
        stderr: 'fleet: no fleet file at no-such-fleet.yaml (give one with --config)\n',
      });
    },
  );

  test('a missing fleet file or an unknown phase is one line and exit 2', async () => {
    expect(await runFleet(['deploy', 'plan', '--config', 'no-such-fleet.yaml'])).toMatchObject({
      code: 2,
      stderr: 'fleet: no fleet file at no-such-fleet.yaml (give one with --config)\n',
    });
  });
});
