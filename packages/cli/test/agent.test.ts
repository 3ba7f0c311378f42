import { runCli } from '@fleet/test-utils/run-cli';
import { spawnBus } from '@fleet/test-utils/spawn-bus';
import { spawnKnowledge } from '@fleet/test-utils/spawn-knowledge';
import { spawnServer } from '@fleet/test-utils/spawn-server';
import { afterEach, expect, test } from 'vitest';
import { runFleet } from './_fleet.ts';
import { FLEET_BIN } from './_spawn-fleet.ts';

const children: Array<{ child: { kill(signal?: NodeJS.Signals): boolean } }> = [];
afterEach(() => {
  for (const spawned of children.splice(0)) spawned.child.kill('SIGKILL');
});

test('fleet agent runs a demo agent from the environment a wizard unit sets, and stops cleanly on SIGTERM', async () => {
  const bus = await spawnBus(['--db', ':memory:']);
  const knowledge = await spawnKnowledge(['--db', ':memory:']);
  children.push(bus, knowledge);
  const agent = await spawnServer(FLEET_BIN, ['agent'], {
    FLEET_WIZARD: 'scout',
    FLEET_PEER: 'scribe',
    FLEET_BUS_URL: bus.url,
    FLEET_KNOWLEDGE_URL: knowledge.url,
    PORT: '0',
  });
  children.push(agent);
  const health = (await (await fetch(`${agent.url}/health`)).json()) as {
    status: string;
    details: { agent: string; peer: string };
  };
  expect(health).toMatchObject({ status: 'ok', details: { agent: 'scout', peer: 'scribe' } });
  agent.child.kill('SIGTERM');
  expect(await agent.exited).toBe(0);
});

test('fleet agent without a name says how to give one and exits 2', async () => {
  const run = await runCli(FLEET_BIN, ['agent'], { FLEET_WIZARD: '' });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('name the agent: --name NAME or FLEET_WIZARD=NAME');
});

test('fleet agent with a name or peer the bus would refuse is a usage error (exit 2), before starting', async () => {
  const bad = await runFleet(['agent', '--name', 'bad name!']);
  expect(bad).toMatchObject({ code: 2, stdout: '' });
  expect(bad.stderr).toMatch(/^fleet: --name bad name!: must start with a letter or digit/);
  expect(await runFleet(['agent', '--name', 'ok', '--peer', '-x'])).toMatchObject({ code: 2, stdout: '' });
});

test('fleet agent with a --bus or --knowledge that is not a URL is a usage error (exit 2), before starting', async () => {
  expect(await runFleet(['agent', '--name', 'x', '--bus', 'notaurl'])).toEqual({
    code: 2,
    stdout: '',
    stderr: 'fleet: --bus: invalid base URL: notaurl\n',
  });
  expect(await runFleet(['agent', '--name', 'x', '--knowledge', 'ftp://127.0.0.1:1'])).toEqual({
    code: 2,
    stdout: '',
    stderr: 'fleet: --knowledge: invalid base URL: ftp://127.0.0.1:1 (expected http: or https:)\n',
  });
});
