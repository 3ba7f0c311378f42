import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type SilentHost, startSilentHost } from '@fleet/test-utils/silent-host';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { describe, expect, test } from 'vitest';
import { hangBusProbe, OTHER_LOOPBACK, tempDir, until, writeDemoFleet } from './_fleet.ts';
import { FLEET_BIN, type SpawnedFleet, spawnFleet, waitForOutput } from './_spawn-fleet.ts';

// util-linux's script(1) (Debian: bsdutils, an essential package) gives the command a terminal.
const hasScript = hasSystemCommand('script', 'bsdutils');

// These run the BUILT bin (`npm test` builds first), as a user would.

/** The SQLite files of a fleet directory that only an open database keeps (WAL and shared memory). */
function openDatabaseFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('-wal') || name.endsWith('-shm'));
}

/** The pid of the process whose command line is `argv` (Linux: read from /proc). */
function processOf(argv: readonly string[]): number {
  const wanted = `${argv.join('\0')}\0`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8') === wanted) return Number(entry);
    } catch {
      // It ended meanwhile.
    }
  }
  throw new Error(`no process runs ${argv.join(' ')}`);
}

/** True while the process `pid` runs (Linux: neither gone nor a zombie nobody reaped yet). */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Resolves once `silent` has been probed (fleet up is at the end of its start, see hangBusProbe); rejects if it exits first. */
function probed(silent: SilentHost, fleet: SpawnedFleet): Promise<unknown> {
  const exited = fleet.exited.then((code) => {
    throw new Error(`fleet exited (${code}) before probing: ${fleet.stderr()}${fleet.stdout()}`);
  });
  return Promise.race([silent.connected, exited]);
}

describe('fleet up and signals (the built bin)', () => {
  test('SIGHUP (the terminal closed) stops it like SIGTERM: the servers and databases closed, "stopped", exit 0', async () => {
    const dir = tempDir('fleet-up-hup-');
    const { config } = await writeDemoFleet(dir);
    const state = join(dir, '.fleet');
    const fleet = spawnFleet(['up', '--json', '--dir', state, '--config', config], dir);
    await waitForOutput(fleet, '\n');
    expect(openDatabaseFiles(state)).not.toEqual([]);

    fleet.child.kill('SIGHUP');
    expect(await fleet.exited).toBe(0);
    expect(fleet.stdout().trimEnd().split('\n').at(-1)).toBe('{"event":"stopped"}');
    expect(openDatabaseFiles(state)).toEqual([]);
  });

  test.skipIf(!hasScript)('its terminal closing while it runs in a shell closes every database', async () => {
    const dir = tempDir('fleet-up-hangup-');
    const { config } = await writeDemoFleet(dir);
    const state = join(dir, '.fleet');
    // An interactive bash on a pseudo-terminal (script(1)) runs it as its foreground job (`; true`
    // keeps bash from exec'ing it). Closing the terminal makes the kernel send bash SIGHUP, which
    // bash passes on to its jobs (more than once); fleet up's lines to the terminal then fail (EIO).
    const argv = [process.execPath, FLEET_BIN, 'up', '--dir', state, '--config', config];
    const shell = `${argv.map((arg) => `'${arg}'`).join(' ')}; true`;
    const terminal = spawnFleet([], dir, {
      command: 'script',
      args: ['-qec', `bash --norc --noprofile -i -c "${shell}"`, '/dev/null'],
    });
    await waitForOutput(terminal, 'Ctrl-C stops the fleet.');
    const pid = processOf(argv);
    expect(openDatabaseFiles(state)).not.toEqual([]);

    terminal.child.kill('SIGKILL'); // the terminal window closes: nothing holds its master side
    await until(() => openDatabaseFiles(state).length === 0 || !isRunning(pid));
    expect(openDatabaseFiles(state)).toEqual([]);
  });

  test.skipIf(!hasScript)(
    'a second SIGHUP (a closing terminal sends several) does not cut the stop short',
    async () => {
      const dir = tempDir('fleet-up-hup-twice-');
      const { config, ports } = await writeDemoFleet(dir);
      const silent = await startSilentHost();
      hangBusProbe(config, ports.bus, silent.port);
      const state = join(dir, '.fleet');
      // On a terminal (script(1)), so it shows "stopping the fleet…" when it takes the signal.
      const argv = [process.execPath, FLEET_BIN, 'up', '--dir', state, '--config', config, '--host', OTHER_LOOPBACK];
      const shell = `exec ${argv.map((arg) => `'${arg}'`).join(' ')}`;
      const terminal = spawnFleet([], dir, { command: 'script', args: ['-qec', shell, '/dev/null'] });
      try {
        await probed(silent, terminal); // still starting, until that probe times out
        const pid = processOf(argv);
        let ended = false;
        void terminal.exited.then(() => {
          ended = true;
        });
        process.kill(pid, 'SIGHUP');
        await until(() => terminal.stdout().includes('stopping the fleet…') || ended);
        process.kill(pid, 'SIGHUP');
        expect(await terminal.exited).toBe(0); // script -e: the status fleet up exited with
        expect(terminal.stdout()).toMatch(/^fleet stopped\r?$/m);
        expect(openDatabaseFiles(state)).toEqual([]);
      } finally {
        await silent.close();
      }
    },
  );

  test.each([
    { mode: '--json', args: ['--json'], stopped: '{"event":"stopped"}\n' },
    { mode: 'text', args: [], stopped: 'fleet stopped\n' },
  ])(
    'a signal during the start ($mode) stops what started, never says "up", and exits 0',
    async ({ args, stopped }) => {
      const dir = tempDir('fleet-up-early-');
      const { config, ports } = await writeDemoFleet(dir);
      // The dashboard's probe of the bus at the end of the start (`probing every target once…`) is
      // never answered (see hangBusProbe), so the start is still running when it asks.
      const silent = await startSilentHost();
      hangBusProbe(config, ports.bus, silent.port);
      const state = join(dir, '.fleet');
      try {
        const fleet = spawnFleet(['up', ...args, '--dir', state, '--config', config, '--host', OTHER_LOOPBACK], dir);
        await probed(silent, fleet);
        fleet.child.kill('SIGTERM');
        expect(await fleet.exited).toBe(0);
        expect(fleet.stdout()).toBe(stopped);
        expect(fleet.stderr()).not.toMatch(/^fleet: /m);
        expect(openDatabaseFiles(state)).toEqual([]);
      } finally {
        await silent.close();
      }
    },
  );
});
