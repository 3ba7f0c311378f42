import { type ChildProcess, spawn } from 'node:child_process';
import { closedPort } from './closed-port.ts';

/** A server child process whose stdout nobody reads, and the URL it listens on. */
export interface ServerWithoutReader {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
}

/**
 * Starts `node <bin> <args> --port <free port>` with its stdout pipe closed from the start (as in
 * `fleet-bus server | true`): its startup line then fails with EPIPE. Resolves once it answers
 * `GET /health`, or with the exit code when it ended first.
 */
export async function spawnServerWithoutReader(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<ServerWithoutReader | { exitedWith: number | string; stderr: string }> {
  const port = await closedPort();
  const child = spawn(process.execPath, [bin, ...args, '--port', String(port)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy(); // the reader is gone before the first line
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let code: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (exitCode, signal) => {
      code = exitCode ?? signal ?? 'unknown';
      resolve(code);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; tries < 200 && code === undefined; tries++) {
    const answered = await fetch(`${url}/health`).then(
      (response) => response.status < 500,
      () => false,
    );
    if (answered) return { url, child, stderr: () => stderr, exited };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (code === undefined) child.kill('SIGKILL');
  return { exitedWith: await exited, stderr };
}
