import { type ChildProcess, spawn } from 'node:child_process';
import { bundleScript, removeScriptBundles } from '@fleet/test-utils/bundle-script';

/** _lock-holder.ts bundled into one plain .mjs file, once per test file (node 20 runs no TypeScript). */
export function lockHolderScript(): Promise<string> {
  return bundleScript(new URL('./_lock-holder.ts', import.meta.url));
}

/** Removes the bundle (call in afterAll). */
export function removeLockHolderScript(): void {
  removeScriptBundles();
}

/** What a lock holder child printed first. */
export type HolderLine =
  | { event: 'locked'; runId: string; pid: number; tookOver: string | null }
  | { event: 'refused'; runId: string; code: string; message: string };

/** A lock holder child: its first line, any later one, and how it ended. */
export interface LockHolder {
  child: ChildProcess;
  line: Promise<HolderLine>;
  /** The first line with these fields, e.g. `{ event: 'step', step: 'long step' }` (see _lock-holder.ts). */
  next(match: Record<string, unknown>): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a child that takes the lock `dir` on a LocalExecutor rooted at `root` and holds it until
 * a signal stops it; with `mode: 'run'` it runs a plan under the lock meanwhile (see _lock-holder.ts).
 */
export async function startLockHolder(
  root: string,
  dir: string,
  options: { ttlMs: number; runId: string; waitMs?: number; mode?: 'hold' | 'run' },
): Promise<LockHolder> {
  const script = await lockHolderScript();
  const args = [script, root, dir, String(options.ttlMs), options.runId, String(options.waitMs ?? 0)];
  const child = spawn(process.execPath, [...args, options.mode ?? 'hold'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const lines: Record<string, unknown>[] = [];
  const waiting: (() => void)[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (let newline = out.indexOf('\n'); newline >= 0; newline = out.indexOf('\n')) {
      lines.push(JSON.parse(out.slice(0, newline)) as Record<string, unknown>);
      out = out.slice(newline + 1);
    }
    for (const wake of waiting.splice(0)) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // 'close' comes after the last of stdout, unlike 'exit'.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const next = (match: Record<string, unknown>): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const look = (): void => {
        const found = lines.find((line) => Object.entries(match).every(([key, value]) => line[key] === value));
        if (found) resolve(found);
        else waiting.push(look);
      };
      look();
      void closed
        .then(() => exited)
        .then(({ code, signal }) =>
          reject(new Error(`holder exited (${code ?? signal}) before printing ${JSON.stringify(match)}: ${err}`)),
        );
    });
  const line = next({}) as Promise<HolderLine>;
  line.catch(() => {});
  return { child, line, next, exited };
}
