import { fileURLToPath } from 'node:url';
import { type SpawnedServer, spawnServer } from './spawn-server.ts';

/** The built `fleet-bus` bin (the root `npm test` builds before testing). */
export const FLEET_BUS_BIN = fileURLToPath(new URL('../../bus-server/bin/fleet-bus.js', import.meta.url));

/** A `fleet-bus server` child process and the URL it printed. */
export type SpawnedBus = SpawnedServer;

/**
 * Starts `node fleet-bus.js server --port 0 <args>` and waits for the line with its URL.
 * Rejects with the process's stderr when it exits first.
 */
export function spawnBus(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SpawnedBus> {
  return spawnServer(FLEET_BUS_BIN, ['server', '--port', '0', ...args], env);
}
