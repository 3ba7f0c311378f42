import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { demoFleetYaml, formatProblem, loadFleetFile } from '@fleet/sdk/fleet';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { describe, expect, test } from 'vitest';
import { tempDir, until, writeDemoFleet } from './_fleet.ts';
import { FLEET_BIN, parseUrls, spawnFleet, waitForOutput } from './_spawn-fleet.ts';

// util-linux's script(1) (Debian: bsdutils, an essential package) gives the command a terminal.
const hasScript = hasSystemCommand('script', 'bsdutils');

// These run the BUILT bin (`npm test` builds first), as a user would.

/** True once `url` answers 200. */
async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

describe('fleet up (the built bin)', () => {
  test('prints every URL, each answers, and SIGINT stops everything cleanly with exit 0', async () => {
    const dir = tempDir('fleet-up-');
    const { config, ports } = await writeDemoFleet(dir);
    const fleet = spawnFleet(['up', '--dir', join(dir, '.fleet'), '--config', config], dir);
    const stdout = await waitForOutput(fleet, 'Ctrl-C stops the fleet.');
    const urls = parseUrls(stdout);
    expect(urls).toEqual({
      bus: `http://127.0.0.1:${ports.bus}`,
      knowledge: `http://127.0.0.1:${ports.knowledge}`,
      dashboard: `http://127.0.0.1:${ports.dashboard}`,
      'agent scout': `http://127.0.0.1:${ports.scout}`,
      'agent scribe': `http://127.0.0.1:${ports.scribe}`,
    });
    for (const url of Object.values(urls)) await until(() => answers(`${url}/health`));
    expect(await answers(`${urls.dashboard}/`)).toBe(true);

    fleet.child.kill('SIGINT');
    expect(await fleet.exited).toBe(0);
    expect(fleet.stdout().endsWith('fleet stopped\n')).toBe(true);
    expect(fleet.stderr()).not.toMatch(/^fleet: /m);
    // stderr is a pipe here, not a terminal: no progress.
    expect(fleet.stderr()).not.toMatch(/starting|probing|stopping/);
    for (const url of Object.values(urls)) expect(await answers(`${url}/health`)).toBe(false);
  });

  test('--json prints an "up" line with every URL, a "stopped" line after SIGTERM, and exits 0', async () => {
    const dir = tempDir('fleet-up-json-');
    const { config, ports } = await writeDemoFleet(dir);
    const fleet = spawnFleet(['up', '--json', '--config', config], dir);
    const first = (await waitForOutput(fleet, '\n')).split('\n')[0]!;
    expect(JSON.parse(first)).toEqual({
      event: 'up',
      config,
      wroteConfig: false,
      urls: {
        bus: `http://127.0.0.1:${ports.bus}`,
        knowledge: `http://127.0.0.1:${ports.knowledge}`,
        dashboard: `http://127.0.0.1:${ports.dashboard}`,
        agents: { scout: `http://127.0.0.1:${ports.scout}`, scribe: `http://127.0.0.1:${ports.scribe}` },
      },
    });
    fleet.child.kill('SIGTERM');
    expect(await fleet.exited).toBe(0);
    expect(fleet.stdout().trimEnd().split('\n').at(-1)).toBe('{"event":"stopped"}');
    expect(fleet.stderr()).not.toMatch(/starting|probing|stopping/);
  });

  test('without --config nor ./fleet.yaml, it writes the demo fleet file into --dir, not the working directory', async () => {
    const dir = tempDir('fleet-up-demo-');
    // The demo fleet's fixed ports, on a loopback address of its own so they clash with nothing.
    const octet = () => 2 + Math.floor(Math.random() * 250);
    const host = `127.${octet()}.${octet()}.${octet()}`;
    const fleet = spawnFleet(['up', '--json', '--host', host], dir);
    const up = JSON.parse((await waitForOutput(fleet, '\n')).split('\n')[0]!) as {
      config: string;
      wroteConfig: boolean;
    };
    try {
      expect(up).toMatchObject({ event: 'up', config: join('.fleet', 'fleet.yaml'), wroteConfig: true });
      expect(readFileSync(join(dir, '.fleet', 'fleet.yaml'), 'utf8')).toBe(demoFleetYaml({ address: host }));
      expect(existsSync(join(dir, 'fleet.yaml'))).toBe(false);
      // With --json the "up" line says so (wroteConfig); progress is for a terminal only.
      expect(fleet.stderr()).not.toContain('wrote the demo fleet file');
    } finally {
      fleet.child.kill('SIGTERM');
      expect(await fleet.exited).toBe(0);
    }
  });

  test.skipIf(!hasScript)('on a terminal it shows its progress', async () => {
    const dir = tempDir('fleet-up-tty-');
    const { config } = await writeDemoFleet(dir);
    // util-linux script(1) runs it on a pseudo-terminal (stdout and stderr both), and on SIGTERM
    // passes SIGTERM on to it.
    const command = [process.execPath, FLEET_BIN, 'up', '--config', config].map((arg) => `'${arg}'`).join(' ');
    const fleet = spawnFleet([], dir, { command: 'script', args: ['-qec', command, '/dev/null'] });
    const shown = await waitForOutput(fleet, 'Ctrl-C stops the fleet.');
    fleet.child.kill('SIGTERM');
    await fleet.exited;
    expect(shown).toMatch(/^starting the bus…\r?$/m);
    expect(shown).toMatch(/^probing every target once…\r?$/m);
    expect(shown).toMatch(/^fleet is up \(/m);
  });

  test('without --config, an existing ./fleet.yaml is the fleet file, and nothing is written', async () => {
    const dir = tempDir('fleet-up-own-');
    const { ports } = await writeDemoFleet(dir);
    const fleet = spawnFleet(['up', '--json'], dir);
    const up = JSON.parse((await waitForOutput(fleet, '\n')).split('\n')[0]!) as Record<string, unknown>;
    try {
      expect(up).toMatchObject({ config: 'fleet.yaml', wroteConfig: false });
      expect(up.urls).toMatchObject({ bus: `http://127.0.0.1:${ports.bus}` });
      expect(existsSync(join(dir, '.fleet', 'fleet.yaml'))).toBe(false);
    } finally {
      fleet.child.kill('SIGTERM');
      expect(await fleet.exited).toBe(0);
    }
  });

  test('a port in use: one line naming the port and the field to change, exit 1', async () => {
    const dir = tempDir('fleet-up-clash-');
    const { config, ports } = await writeDemoFleet(dir);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.knowledge, '127.0.0.1', resolve));
    try {
      const fleet = spawnFleet(['up', '--config', config], dir);
      expect(await fleet.exited).toBe(1);
      const errors = fleet
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('fleet: '));
      expect(errors).toEqual([
        `fleet: cannot start the knowledge node: Port ${ports.knowledge} on 127.0.0.1 is already in use ` +
          `(services.knowledge.port in ${config})`,
      ]);
      expect(fleet.stdout()).toBe('');
    } finally {
      blocker.close();
    }
  });

  test('a broken fleet file: every problem printed, nothing started, exit 1', async () => {
    const dir = tempDir('fleet-up-broken-');
    const config = join(dir, 'fleet.yaml');
    writeFileSync(config, 'version: 1\nservices:\n  bus:\n    kind: bus\n    host: nowhere\n    port: 1\n');
    const fleet = spawnFleet(['up', '--config', config], dir);
    expect(await fleet.exited).toBe(1);
    const { errors } = await loadFleetFile(config);
    expect(errors.map((problem) => problem.path)).toContain('services.bus.host');
    for (const problem of errors) expect(fleet.stderr()).toContain(formatProblem(problem));
    const count = `${errors.length} error${errors.length === 1 ? '' : 's'}`;
    expect(fleet.stderr()).toMatch(new RegExp(`^fleet: .*fleet\\.yaml has ${count}; fix`, 'm'));
    expect(fleet.stdout()).toBe('');
  });
});
