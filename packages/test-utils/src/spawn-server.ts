import { type ChildProcess, spawn } from 'node:child_process';
import { basename } from 'node:path';

/** A server child process and the URL it printed. */
export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout so far (the URL line included). */
  stdout: () => string;
  /** Everything the process wrote to stderr so far. */
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
}

/**
 * Starts `node <bin> <args>` (a built Fleet CLI, e.g. `fleet-bus.js server --port 0`) and waits for
 * the first `http://...` URL on its stdout. Rejects with the process's stderr when it exits first.
 */
export function spawnServer(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<SpawnedServer> {
  const child = spawn(process.execPath, [bin, ...args], {
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
      if (match?.[1]) {
        resolve({ url: match[1].replace(/\/$/, ''), child, stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    exited.then((code) => reject(new Error(`${basename(bin)} exited (${code}) before listening: ${stderr}`)));
  });
}
