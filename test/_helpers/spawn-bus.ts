import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `fleet-bus` bin (the root `npm test` builds before testing). */
export const FLEET_BUS_BIN = fileURLToPath(new URL('../../packages/bus-server/bin/fleet-bus.js', import.meta.url));

/** A `fleet-bus server` child process and the URL it printed. */
export interface SpawnedBus {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
}

/**
 * Starts `node fleet-bus.js server --port 0 <args>` and waits for the line with its URL.
 * Rejects with the process's stderr when it exits first.
 */
export function spawnBus(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SpawnedBus> {
  const child = spawn(process.execPath, [FLEET_BUS_BIN, 'server', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /(http:\/\/[^\s]+)/.exec(stdout);
      if (match?.[1]) resolve({ url: match[1].replace(/\/$/, ''), child, stderr: () => stderr, exited });
    });
    exited.then((code) => reject(new Error(`fleet-bus exited (${code}) before listening: ${stderr}`)));
  });
}
