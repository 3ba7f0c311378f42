import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgsDef, CommandDef } from 'citty';
import { describe, expect, test } from 'vitest';
import { fleetCommand } from '../src/index.ts';
import { runFleet, tempDir } from './_fleet.ts';

type Resolvable<T> = T | Promise<T> | (() => T | Promise<T>);
const resolved = async <T>(value: Resolvable<T>): Promise<T> =>
  typeof value === 'function' ? await (value as () => T | Promise<T>)() : await value;

/** Every command of the tree with its path (`fleet silence`, ...). */
async function commands(command: CommandDef, path: string): Promise<Array<[string, CommandDef]>> {
  const subCommands = (await resolved(command.subCommands ?? {})) as Record<string, Resolvable<CommandDef>>;
  const nested = await Promise.all(
    Object.entries(subCommands).map(async ([name, sub]) => commands(await resolved(sub), `${path} ${name}`)),
  );
  return [[path, command], ...nested.flat()];
}

describe('a single dash takes only a one-letter alias', () => {
  test('fleet silence -host ezra is refused (citty would read it as -h -o -s -t) and silences nothing', async () => {
    const db = join(tempDir('fleet-cli-dash-'), 'alerts.db');
    const run = await runFleet(['silence', '-host', 'ezra', '--for', '2h', '--db', db]);
    expect(run).toEqual({ code: 2, stdout: '', stderr: 'fleet: unknown option: -host\n' });
    expect(existsSync(db)).toBe(false);
  });

  test.each([
    [['doctor', '-config', 'bad.yaml'], 'fleet: unknown option: -config\n'],
    [['status', '-json'], 'fleet: unknown option: -json\n'],
    [['report', '-file', 'fleet.yaml'], 'fleet: unknown option: -file\n'],
  ])('fleet %j is a usage error', async (argv, stderr) => {
    expect(await runFleet(argv)).toEqual({ code: 2, stdout: '', stderr });
  });

  test('no command declares a multi-letter alias, which --help would show as a single-dash option', async () => {
    const long: string[] = [];
    for (const [path, command] of await commands(fleetCommand, 'fleet')) {
      const args = (await resolved(command.args ?? {})) as ArgsDef;
      for (const [name, def] of Object.entries(args)) {
        const aliases = 'alias' in def && def.alias !== undefined ? [def.alias].flat() : [];
        for (const alias of aliases) if (alias.length !== 1) long.push(`${path} --${name}: ${alias}`);
      }
    }
    expect(long).toEqual([]);
  });

  test('fleet report --help advertises no single-dash word', async () => {
    const run = await runFleet(['report', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--config');
    expect(run.stdout).not.toMatch(/(^|[\s,])-[a-z]{2,}/m);
  });
});
