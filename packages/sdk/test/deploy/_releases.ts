import { type ChildProcess, spawn } from 'node:child_process';
import type { Executor } from '../../src/deploy/executor.ts';

/** Creates release directories `ids` under `base`, each with a file naming it. */
export async function makeReleases(executor: Executor, base: string, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await executor.mkdir(`${base}/releases/${id}`);
    await executor.writeFile(`${base}/releases/${id}/REVISION`, `${id}\n`);
  }
}

/** Ids that sort oldest first: `20260101T000001Z-r1`, ... */
export function ids(count: number): string[] {
  return Array.from(
    { length: count },
    (_, index) => `20260101T0000${String(index + 1).padStart(2, '0')}Z-r${index + 1}`,
  );
}

/** What a reader of a symlink saw while it polled. */
export interface ReaderReport {
  reads: number;
  missing: number;
  targets: string[];
}

/** A child process reading `link` in a tight loop until `stop()`: how often it was missing. */
export interface LinkReader {
  child: ChildProcess;
  /** Resolves once it has read the link at least once. */
  ready: Promise<void>;
  /** Stops it and resolves with what it saw. */
  stop(): Promise<ReaderReport>;
}

const READER = `
const { readlinkSync } = require('node:fs');
const link = process.argv[1];
let reads = 0, missing = 0, stop = false;
const targets = new Set();
process.stdin.on('data', () => { stop = true; });
function spin() {
  for (let i = 0; i < 2000; i++) {
    try { targets.add(readlinkSync(link)); reads++; } catch { missing++; }
  }
  if (reads > 0 && !spin.told) { spin.told = true; process.stdout.write('ready\\n'); }
  if (stop) process.stdout.write(JSON.stringify({ reads, missing, targets: [...targets] }) + '\\n');
  else setImmediate(spin);
}
spin();
`;

/** Starts a {@link LinkReader} of the local file `link`. */
export function readLinkInLoop(link: string): LinkReader {
  const child = spawn(process.execPath, ['-e', READER, link], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let onData: () => void = () => {};
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    onData();
  });
  const waitFor = (test: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      onData = () => test() && resolve();
      child.once('exit', (code) => reject(new Error(`reader exited (${code}): ${out}`)));
      onData();
    });
  const ready = waitFor(() => out.includes('ready\n'));
  return {
    child,
    ready,
    async stop() {
      await ready;
      const done = waitFor(() => out.trimEnd().endsWith('}'));
      child.stdin?.end('stop\n');
      await done;
      child.kill();
      return JSON.parse(out.trim().split('\n').at(-1)!) as ReaderReport;
    },
  };
}
