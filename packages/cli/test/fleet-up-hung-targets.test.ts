import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { startSilentHost } from '@fleet/test-utils/silent-host';
import { afterEach, describe, expect, test } from 'vitest';
import { hangBusProbe, OTHER_LOOPBACK, tempDir, until, writeDemoFleet } from './_fleet.ts';
import { type SpawnedFleet, spawnFleet, waitForOutput } from './_spawn-fleet.ts';

// These run the BUILT bin (`npm test` builds first), as a user would. Every hung probe has a
// ten-minute timeout: far longer than a test may run, so only a fleet up that does not wait for
// them can pass.

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Real TCP servers on 127.0.0.1, port 0, that accept connections and never answer: `count` of them
 * (a fleet file gives each service its own port). `asked()` counts the servers that got a request
 * (a connection that sent bytes: fetch may open a spare connection that sends none).
 */
async function hungServers(count: number): Promise<{ ports: number[]; asked: () => number }> {
  const sockets = new Set<Socket>();
  const asked = new Set<number>();
  const ports: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => asked.add(index));
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    ports.push((server.address() as { port: number }).port);
  }
  return { ports, asked: () => asked.size };
}

/** A hung probe: ten minutes of timeout (at most half the interval). */
const HUNG_HEALTH = ['    health:', '      path: /health', '      interval: 20m', '      timeout: 10m'];

/**
 * Adds a `custom` service (fleet up does not run them; the dashboard probes them) on each of
 * `ports`, spread over `hosts` hosts `h0`, `h1`, ... (all 127.0.0.1, each with its own concurrency
 * limit).
 */
function addHungServices(config: string, ports: readonly number[], hosts: number): void {
  const hostLines = Array.from({ length: hosts }, (_, index) => `  h${index}:\n    address: 127.0.0.1`);
  const services = ports.map((port, index) =>
    [`  hung${index}:`, '    kind: custom', `    host: h${index % hosts}`, `    port: ${port}`, ...HUNG_HEALTH].join(
      '\n',
    ),
  );
  const text = readFileSync(config, 'utf8')
    .replace('\nhosts:\n', `\nhosts:\n${hostLines.join('\n')}\n`)
    .replace('\nwizards:\n', `\n${services.join('\n')}\n\nwizards:\n`);
  writeFileSync(config, text);
}

/** Spawns `fleet up --json` on `config`, stopped (SIGKILL) after the test if still running. */
function spawnUp(config: string, dir: string, extra: string[] = []): SpawnedFleet {
  const fleet = spawnFleet(['up', '--json', '--dir', join(dir, '.fleet'), '--config', config, ...extra], dir);
  cleanups.push(() => {
    if (fleet.child.exitCode === null && fleet.child.signalCode === null) fleet.child.kill('SIGKILL');
  });
  return fleet;
}

describe('fleet up with targets that never answer (the built bin)', () => {
  test('"up" does not wait for the probes of services it does not run', async () => {
    const dir = tempDir('fleet-up-hung-');
    const { config } = await writeDemoFleet(dir);
    const hung = await hungServers(8);
    addHungServices(config, hung.ports, 1);
    const fleet = spawnUp(config, dir);

    await waitForOutput(fleet, '{"event":"up"');
    fleet.child.kill('SIGTERM');
    expect(await fleet.exited).toBe(0);
    expect(fleet.stdout().trimEnd().split('\n').at(-1)).toBe('{"event":"stopped"}');
  });

  test('SIGTERM while more than 10 probes hang and more wait stops at once, with no warning', async () => {
    const dir = tempDir('fleet-up-hung-stop-');
    const { config } = await writeDemoFleet(dir);
    const hung = await hungServers(20);
    // 4 hosts, 4 probes at once each: 16 hang, 4 wait in the queue.
    addHungServices(config, hung.ports, 4);
    const fleet = spawnUp(config, dir);
    const exitedEarly = fleet.exited.then((code) => {
      throw new Error(`fleet exited (${code}): ${fleet.stderr()}`);
    });
    await Promise.race([until(() => hung.asked() === 16), exitedEarly]);

    fleet.child.kill('SIGTERM');
    expect(await fleet.exited).toBe(0);
    expect(fleet.stdout().trimEnd().split('\n').at(-1)).toBe('{"event":"stopped"}');
    // No MaxListenersExceededWarning (nor anything else) for 16 checks at once.
    expect(fleet.stderr()).toBe('');
    // The 4 queued probes never started.
    expect(hung.asked()).toBe(16);
  });

  test('a signal while the first probe of a part it started hangs stops the start at once', async () => {
    const dir = tempDir('fleet-up-hung-part-');
    // The dashboard's first probe of the bus it started is never answered (see hangBusProbe).
    const silent = await startSilentHost();
    cleanups.push(() => silent.close());
    const { config, ports } = await writeDemoFleet(dir);
    hangBusProbe(config, ports.bus, silent.port);
    const fleet = spawnUp(config, dir, ['--host', OTHER_LOOPBACK]);
    const exitedEarly = fleet.exited.then((code) => {
      throw new Error(`fleet exited (${code}): ${fleet.stderr()}`);
    });
    await Promise.race([silent.connected, exitedEarly]);

    fleet.child.kill('SIGINT');
    expect(await fleet.exited).toBe(0);
    expect(fleet.stdout()).toBe('{"event":"stopped"}\n');
    expect(fleet.stderr()).not.toMatch(/^fleet: /m);
  });
});
