import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const project = mkdtempSync(join(tmpdir(), 'fleet-pack-'));
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  // The root `npm test` builds first; `npm pack` takes what `files` lists from each package.
  npm(
    [
      'pack',
      '--pack-destination',
      project,
      '-w',
      '@fleet/sdk',
      '-w',
      '@fleet/bus-server',
      '-w',
      '@fleet/knowledge-server',
    ],
    root,
  );
  const tarballs = readdirSync(project).filter((file) => file.endsWith('.tgz'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pack-test', private: true, type: 'module' }));
  // Install like a user would, from the tarballs and the registry. Install scripts are skipped and the
  // native better-sqlite3 addon is copied from this checkout instead of compiling it again (about a
  // minute): this test checks Fleet's packaging, not better-sqlite3's build.
  npm(
    ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs.map((t) => `./${t}`)],
    project,
  );
  cpSync(join(root, 'node_modules/better-sqlite3/build'), join(project, 'node_modules/better-sqlite3/build'), {
    recursive: true,
  });
}, 300_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

function node(script: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' });
}

describe('the published packages, installed from npm pack tarballs into an empty project', () => {
  test('@fleet/sdk imports with its schemas and client', () => {
    const out = node(`
      import { BusClient, SendInput, busRoutes } from '@fleet/sdk';
      const parsed = SendInput.parse({ from: 'a', to: 'b' });
      console.log(typeof BusClient, parsed.type, busRoutes.send.path);
    `);
    expect(out.trim()).toBe('function message /message');
  });

  test.each([
    ['fleet-bus', 'fleet-bus'],
    ['fleet-knowledge', 'fleet-knowledge'],
  ])(
    'npx %s server starts from the installed package and answers /health',
    async (bin, service) => {
      const child = spawn('npx', ['--no-install', bin, 'server', '--port', '0', '--db', join(project, `${bin}.db`)], {
        cwd: project,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: npx runs the server as a child, and both must stop with the test.
        detached: true,
      });
      const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const match = /(http:\/\/\S+)/.exec(out);
            if (match?.[1]) resolve(match[1]);
          });
          let err = '';
          child.stderr.on('data', (chunk: Buffer) => {
            err += chunk.toString();
          });
          child.once('exit', () => reject(new Error(`${bin} exited: ${err}`)));
        });
        const health = (await (await fetch(`${url.replace(/\/$/, '')}/health`)).json()) as Record<string, unknown>;
        expect(health).toMatchObject({ status: 'ok', service });
      } finally {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
        await exited;
      }
    },
    60_000,
  );

  test('an agent that only uses the client does not need h3 or better-sqlite3', () => {
    rmSync(join(project, 'node_modules/h3'), { recursive: true, force: true });
    rmSync(join(project, 'node_modules/better-sqlite3'), { recursive: true, force: true });
    const out = node(`
      import { BusClient } from '@fleet/sdk';
      console.log(new BusClient({ url: 'http://127.0.0.1:1' }) instanceof BusClient);
    `);
    expect(out.trim()).toBe('true');
  });
});
