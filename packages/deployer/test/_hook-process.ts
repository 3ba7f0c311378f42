import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { REPO } from './_fixtures.ts';

/** A `fleet deploy hook` process, listening. */
export interface HookProcess {
  child: ChildProcess;
  /** Its base URL, from the line it prints once listening. */
  url: string;
  /** How it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** POSTs a push of `commit` to `refs/heads/main` of `ops/fleet`, signed as GitHub does; resolves with the status. */
  push(commit: string): Promise<number>;
}

const SECRET = 'hook-process-secret';

/**
 * Starts `fleet deploy hook` (the built CLI, as an operator runs it) for `ops/fleet`
 * `refs/heads/main` on a free port, with `args` added (`--config`, SSH settings) and `env`.
 */
export async function startHookProcess(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<HookProcess> {
  const cli = join(REPO, 'packages/cli/bin/fleet.js');
  const child = spawn(
    process.execPath,
    [cli, 'deploy', 'hook', '--secret', SECRET, '--repository', 'ops/fleet', '--port', '0', ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      out += chunk.toString();
      const listening = /listening on (http:\/\/\S+)\/webhook/.exec(out);
      if (listening) resolve(listening[1]!);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    void exited.then(({ code, signal }) => reject(new Error(`fleet deploy hook exited (${code ?? signal}): ${out}`)));
  });
  const push = async (commit: string): Promise<number> => {
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      after: commit,
      repository: { full_name: 'ops/fleet' },
      pusher: { name: 'ada' },
    });
    const response = await fetch(`${url}/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    await response.body?.cancel();
    return response.status;
  };
  return { child, url, exited, push };
}
