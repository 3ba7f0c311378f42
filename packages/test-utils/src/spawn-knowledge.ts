import { fileURLToPath } from 'node:url';
import { type SpawnedServer, spawnServer } from './spawn-server.ts';

/** The built `fleet-knowledge` bin (the root `npm test` builds before testing). */
export const FLEET_KNOWLEDGE_BIN = fileURLToPath(
  new URL('../../knowledge-server/bin/fleet-knowledge.js', import.meta.url),
);

/**
 * Starts `node fleet-knowledge.js server --port 0 <args>` and waits for the line with its URL.
 * Rejects with the process's stderr when it exits first.
 */
export function spawnKnowledge(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SpawnedServer> {
  return spawnServer(FLEET_KNOWLEDGE_BIN, ['server', '--port', '0', ...args], env);
}
