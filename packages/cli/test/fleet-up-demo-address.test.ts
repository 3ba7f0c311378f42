import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoFleetYaml } from '@fleet/sdk/fleet';
import { describe, expect, test } from 'vitest';
import { freePorts, tempDir } from './_fleet.ts';
import { spawnFleet, waitForOutput } from './_spawn-fleet.ts';

// These run the BUILT bin (`npm test` builds first), as a user would.

/** The demo fleet file on `address` and free ports, as `fleet up --host <address>` writes it. */
async function demoFleetOn(address: string): Promise<string> {
  const [busPort, knowledgePort, dashboardPort, scout, scribe] = await freePorts(5);
  return demoFleetYaml({
    address,
    busPort: busPort!,
    knowledgePort: knowledgePort!,
    dashboardPort: dashboardPort!,
    wizards: [
      { name: 'scout', port: scout! },
      { name: 'scribe', port: scribe! },
    ],
  });
}

describe('fleet up and the address of its demo fleet file (the built bin)', () => {
  test('refuses, in one line naming the flag and the field, a demo fleet file written for another --host', async () => {
    const dir = tempDir('fleet-up-demo-host-');
    // What `fleet up --host 127.0.0.2` left in .fleet/fleet.yaml.
    const demo = join(dir, '.fleet', 'fleet.yaml');
    mkdirSync(join(dir, '.fleet'));
    const text = await demoFleetOn('127.0.0.2');
    writeFileSync(demo, text);

    const fleet = spawnFleet(['up', '--json'], dir);
    expect(await fleet.exited).toBe(1);
    expect(fleet.stdout()).toBe('');
    const errors = fleet
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('fleet: '));
    expect(errors).toEqual([
      `fleet: ${join('.fleet', 'fleet.yaml')} was written for 127.0.0.2 (hosts.local.address) but fleet up binds ` +
        `127.0.0.1, so every probe would miss: run fleet up --host 127.0.0.2, or set hosts.local.address ` +
        `to 127.0.0.1 in ${join('.fleet', 'fleet.yaml')}`,
    ]);
    // Nothing rewritten.
    expect(readFileSync(demo, 'utf8')).toBe(text);
  });

  test('a fleet file of your own (./fleet.yaml) on another address is used as it is, never rewritten', async () => {
    const dir = tempDir('fleet-up-own-host-');
    const text = await demoFleetOn('127.0.0.2');
    writeFileSync(join(dir, 'fleet.yaml'), text);
    const fleet = spawnFleet(['up', '--json'], dir);
    try {
      await waitForOutput(fleet, '{"event":"up"');
      expect(readFileSync(join(dir, 'fleet.yaml'), 'utf8')).toBe(text);
    } finally {
      fleet.child.kill('SIGTERM');
      expect(await fleet.exited).toBe(0);
    }
  });
});
