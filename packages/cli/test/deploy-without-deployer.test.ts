import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CommandDef } from 'citty';
import { describe, expect, test } from 'vitest';
import { deployCommandFor } from '../src/commands/deploy.ts';
import { fleetCommand } from '../src/main.ts';
import { runFleet, tempDir } from './_fleet.ts';

/**
 * Imports `@fleet/deployer` the way `@fleet/cli` does, but from a module in a directory outside the
 * repository, where no node_modules holds it: Node's own ERR_MODULE_NOT_FOUND, as in a project that
 * installed `@fleet/cli` without its optional peer.
 */
function importFromWhereTheDeployerIsMissing(): () => Promise<{ deployCommand: CommandDef }> {
  const entry = join(tempDir('fleet-cli-no-deployer-'), 'import-deployer.mjs');
  writeFileSync(entry, "export { deployCommand } from '@fleet/deployer';\n");
  return () => import(pathToFileURL(entry).href);
}

/** The real `fleet` command tree, its `deploy` command loading the deployer through `importDeployer`. */
function fleetWithout(importDeployer: () => Promise<{ deployCommand: CommandDef }>): CommandDef {
  const subCommands = fleetCommand.subCommands as Record<string, CommandDef>;
  return { ...fleetCommand, subCommands: { ...subCommands, deploy: deployCommandFor(importDeployer) } };
}

const NEEDS_DEPLOYER = 'fleet: fleet deploy needs @fleet/deployer, not installed here: npm install @fleet/deployer\n';

describe('fleet without the optional @fleet/deployer', () => {
  const fleet = fleetWithout(importFromWhereTheDeployerIsMissing());

  test('fleet --help lists every command, deploy with its description, and exits 0', async () => {
    const run = await runFleet(['--help'], fleet);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('USAGE fleet');
    expect(run.stdout).toMatch(/deploy\s+Deploy the fleet file onto its hosts over SSH/);
  });

  test('fleet alone prints the usage and exits 2, without a word about the deployer', async () => {
    const run = await runFleet([], fleet);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('USAGE fleet');
    expect(run.stderr).toBe('');
  });

  test('an unknown command names the known ones, deploy among them', async () => {
    expect(await runFleet(['launch'], fleet)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'fleet: unknown command "launch"; commands: up, doctor, status, report, agent, alerts, silence, deploy\n',
    });
  });

  test.each([[['deploy']], [['deploy', 'plan']], [['deploy', '--help']]])(
    'fleet %j says to install @fleet/deployer and exits 2',
    async (argv) => {
      expect(await runFleet(argv, fleet)).toEqual({ code: 2, stdout: '', stderr: NEEDS_DEPLOYER });
    },
  );
});

describe('fleet deploy with the deployer installed', () => {
  test('fleet deploy --help prints the deploy commands under the name fleet deploy', async () => {
    const run = await runFleet(['deploy', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('USAGE fleet deploy plan|run|rollback|audit|history|unlock|hook');
  });

  test('a package the installed deployer cannot find is named, not "install @fleet/deployer"', async () => {
    const dist = join(tempDir('fleet-cli-broken-deployer-'), 'node_modules/@fleet/deployer/dist');
    mkdirSync(dist, { recursive: true });
    const entry = join(dist, 'index.js');
    writeFileSync(join(dist, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(entry, "export { deployCommand } from 'no-such-package-of-the-deployer';\n");
    const run = await runFleet(
      ['deploy', 'plan'],
      fleetWithout(() => import(pathToFileURL(entry).href)),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no-such-package-of-the-deployer');
    expect(run.stderr).not.toContain('npm install @fleet/deployer');
  });
});
