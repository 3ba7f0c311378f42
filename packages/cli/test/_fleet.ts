import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@fleet/sdk/cli';
import { demoFleetYaml } from '@fleet/sdk/fleet';
import type { CommandDef } from 'citty';
import { vi } from 'vitest';
import { fleetCommand } from '../src/index.ts';
import { version } from '../src/version.ts';

/** A fresh temp directory, removed when the test process exits. */
export function tempDir(prefix = 'fleet-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * `count` distinct free loopback ports: all are bound at once (so none repeats), read, then
 * released. Something else may take one meanwhile; on this machine nothing binds ports at random.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** The ports of a local demo fleet. */
export interface FleetPorts {
  bus: number;
  knowledge: number;
  dashboard: number;
  scout: number;
  scribe: number;
}

/** Writes the demo fleet file on free ports into `dir`; returns its path and the ports. */
export async function writeDemoFleet(dir: string): Promise<{ config: string; ports: FleetPorts }> {
  const [bus, knowledge, dashboard, scout, scribe] = (await freePorts(5)) as [number, number, number, number, number];
  const ports = { bus, knowledge, dashboard, scout, scribe };
  const config = join(dir, 'fleet.yaml');
  const wizards = [
    { name: 'scout', port: scout },
    { name: 'scribe', port: scribe },
  ];
  writeFileSync(config, demoFleetYaml({ busPort: bus, knowledgePort: knowledge, dashboardPort: dashboard, wizards }));
  return { config, ports };
}

/** The loopback address to start a fleet on whose bus probe hangs (see {@link hangBusProbe}). */
export const OTHER_LOOPBACK = '127.0.0.2';

/**
 * Moves the bus of the demo fleet file `config` (on `busPort`) to `port`, a silent host's on
 * 127.0.0.1, with a ten-minute probe timeout. Started on {@link OTHER_LOOPBACK}, fleet up runs the bus
 * there, and the dashboard's first probe of it at the end of the start goes to 127.0.0.1 and is
 * never answered: the start waits on it until it is stopped.
 */
export function hangBusProbe(config: string, busPort: number, port: number): void {
  const health = ['    health:', '      path: /health', '      interval: 20m', '      timeout: 10m'].join('\n');
  writeFileSync(
    config,
    readFileSync(config, 'utf8').replace(`    port: ${busPort}\n`, `    port: ${port}\n${health}\n`),
  );
}

/** What an in-process `fleet` run printed and its exit status. */
export interface FleetRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `fleet <argv>` in this process (against the sources), capturing what it prints; `command`
 * replaces the `fleet` command tree (one with a part swapped out).
 */
export async function runFleet(argv: string[], command: CommandDef = fleetCommand): Promise<FleetRun> {
  let stdout = '';
  let stderr = '';
  const capture = (target: 'out' | 'err') => (chunk: string | Uint8Array) => {
    if (target === 'out') stdout += String(chunk);
    else stderr += String(chunk);
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture('out') as typeof process.stdout.write);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture('err') as typeof process.stderr.write);
  try {
    const code = await runCli(command, argv, { name: 'fleet', version });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Polls `check` until it holds; the test timeout bounds the wait (no timing threshold here). */
export async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 25));
}
