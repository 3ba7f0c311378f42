import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

let bundled: Promise<string> | undefined;
const built: string[] = [];

/** _lock-holder.ts bundled into one plain .mjs file, once per test file (node 20 runs no TypeScript). */
export function lockHolderScript(): Promise<string> {
  bundled ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-lock-holder-'));
    built.push(dir);
    const outfile = join(dir, 'lock-holder.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./_lock-holder.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['@fleet/source'],
      outfile,
      logLevel: 'error',
    });
    return outfile;
  })();
  return bundled;
}

/** Removes the bundle (call in afterAll). */
export function removeLockHolderScript(): void {
  for (const dir of built.splice(0)) rmSync(dir, { recursive: true, force: true });
  bundled = undefined;
}

/** What a lock holder child printed. */
export type HolderLine =
  | { event: 'locked'; runId: string; pid: number; tookOver: string | null }
  | { event: 'refused'; runId: string; code: string; message: string };

/** A lock holder child: its first line, and how it ended. */
export interface LockHolder {
  child: ChildProcess;
  line: Promise<HolderLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a child that takes the lock `dir` on a LocalExecutor rooted at `root`. */
export async function startLockHolder(
  root: string,
  dir: string,
  options: { ttlMs: number; runId: string; waitMs?: number },
): Promise<LockHolder> {
  const script = await lockHolderScript();
  const args = [script, root, dir, String(options.ttlMs), options.runId, String(options.waitMs ?? 0)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const line = new Promise<HolderLine>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(out.slice(0, newline)) as HolderLine);
    });
    void exited.then(({ code, signal }) => reject(new Error(`holder exited (${code ?? signal}) silently: ${err}`)));
  });
  line.catch(() => {});
  return { child, line, exited };
}
