import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Executor, PathInfo, ProbeRequest } from '../../src/deploy/executor.ts';
import { LocalExecutor, type LocalExecutorOptions } from '../../src/deploy/local-executor.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A LocalExecutor rooted in a fresh temp directory that stands for the host's `/`, removed after the test. */
export function tempHost(options: Omit<LocalExecutorOptions, 'root'> = {}): LocalExecutor {
  const root = mkdtempSync(join(tmpdir(), 'fleet-deploy-host-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return new LocalExecutor({ ...options, root });
}

/** Every path under `root` with its type, mode, owner and content or target: equal snapshots, unchanged tree. */
export function snapshot(root: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const file = join(dir, name);
      const stats = lstatSync(file);
      const head = `${(stats.mode & 0o7777).toString(8)} ${stats.uid}:${stats.gid} ${stats.mtimeMs} ${stats.ino}`;
      if (stats.isSymbolicLink()) tree[`${prefix}/${name}`] = `link ${head} -> ${readlinkSync(file)}`;
      else if (stats.isDirectory()) {
        tree[`${prefix}/${name}`] = `dir ${head}`;
        walk(file, `${prefix}/${name}`);
      } else tree[`${prefix}/${name}`] = `file ${head} ${readFileSync(file, 'utf8')}`;
    }
  };
  walk(root, '');
  return tree;
}

/** An executor that counts the calls of a real one: how many round trips a remote host would see. */
export class CountingExecutor implements Executor {
  readonly calls: Record<string, number> = {};
  readonly host: string;

  constructor(readonly inner: Executor) {
    this.host = inner.host;
  }

  #count(name: string): void {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
  }

  run(...args: Parameters<Executor['run']>) {
    this.#count('run');
    return this.inner.run(...args);
  }
  probe(requests: readonly ProbeRequest[]): Promise<PathInfo[]> {
    this.#count('probe');
    return this.inner.probe(requests);
  }
  stat(path: string) {
    this.#count('stat');
    return this.inner.stat(path);
  }
  readFile(path: string) {
    this.#count('readFile');
    return this.inner.readFile(path);
  }
  writeFile(...args: Parameters<Executor['writeFile']>) {
    this.#count('writeFile');
    return this.inner.writeFile(...args);
  }
  mkdir(...args: Parameters<Executor['mkdir']>) {
    this.#count('mkdir');
    return this.inner.mkdir(...args);
  }
  setAttributes(...args: Parameters<Executor['setAttributes']>) {
    this.#count('setAttributes');
    return this.inner.setAttributes(...args);
  }
  symlink(...args: Parameters<Executor['symlink']>) {
    this.#count('symlink');
    return this.inner.symlink(...args);
  }
  close() {
    return this.inner.close();
  }
}
