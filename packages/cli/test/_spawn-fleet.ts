import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `fleet` bin (the root `npm test` builds before testing). */
export const FLEET_BIN = fileURLToPath(new URL('../bin/fleet.js', import.meta.url));

/** A `fleet up` child process. */
export interface SpawnedFleet {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>;
}

/**
 * Starts `node fleet.js <args>` in `cwd`, with the fleet's environment variables cleared; `via`
 * runs another command instead (one that runs the bin itself, such as script(1)).
 */
export function spawnFleet(args: string[], cwd: string, via?: { command: string; args: string[] }): SpawnedFleet {
  const env = { ...process.env, FLEET_BUS_TOKEN: '', FLEET_KNOWLEDGE_TOKEN: '', FLEET_DASHBOARD_TOKEN: '' };
  const [command, argv] = via ? [via.command, via.args] : [process.execPath, [FLEET_BIN, ...args]];
  const child = spawn(command, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * Waits until the child's stdout holds `marker` (resolving with stdout so far), or rejects with
 * what it printed when it exits first.
 */
export function waitForOutput(fleet: SpawnedFleet, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!fleet.stdout().includes(marker)) return;
      fleet.child.stdout?.off('data', check);
      resolve(fleet.stdout());
    };
    fleet.child.stdout?.on('data', check);
    check();
    void fleet.exited.then((code) =>
      reject(new Error(`fleet exited (${code}) before printing "${marker}": ${fleet.stderr()}${fleet.stdout()}`)),
    );
  });
}

/** The URLs of the block `fleet up` prints, by label (`bus`, ..., `agent scout`). */
export function parseUrls(stdout: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const match of stdout.matchAll(/^ {2}(\S+(?: \S+)?)\s+(http:\/\/\S+)/gm)) urls[match[1]!] = match[2]!;
  return urls;
}
