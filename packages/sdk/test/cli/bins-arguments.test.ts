import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { closedPort } from '@fleet/test-utils/closed-port';
import { requestWithHost } from '@fleet/test-utils/http-with-host';
import { runCli } from '@fleet/test-utils/run-cli';
import { FLEET_BUS_BIN, spawnBus } from '@fleet/test-utils/spawn-bus';
import { FLEET_KNOWLEDGE_BIN } from '@fleet/test-utils/spawn-knowledge';
import { describe, expect, test } from 'vitest';

// These run the BUILT bins (`npm test` builds first), as a user would: the argument checks of
// @fleet/sdk/cli are what every Fleet command line shares.
const FLEET_BIN = fileURLToPath(new URL('../../../cli/bin/fleet.js', import.meta.url));
const FLEET_DASHBOARD_BIN = fileURLToPath(new URL('../../../dashboard/bin/fleet-dashboard.js', import.meta.url));
const cleanEnv = {
  FLEET_BUS_TOKENS: '',
  FLEET_KNOWLEDGE_TOKENS: '',
  FLEET_DASHBOARD_TOKENS: '',
  FLEET_DASHBOARD_TOKEN: '',
  FLEET_DASHBOARD_URL: '',
  FLEET_ALLOWED_HOSTS: '',
};

/** How a server command ended: its exit code, or `listening` once it printed a URL (then stopped). */
interface ServerRun {
  code: number | string;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <bin> <args>` in the temp directory until it exits or prints the URL it listens on
 * (then SIGTERMs it).
 */
function startServer(bin: string, args: string[]): Promise<ServerRun> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: tmpdir(),
    env: { ...process.env, ...cleanEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let listening = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!listening && /http:\/\//.test(stdout)) {
      listening = true;
      child.kill('SIGTERM');
    }
  });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) =>
      resolve({ code: listening ? 'listening' : (code ?? signal ?? -1), stdout, stderr }),
    );
  });
}

describe('a boolean option takes no value but true or false', () => {
  test('fleet-bus server --insecure=no is a usage error, not an unauthenticated bus', async () => {
    const run = await startServer(FLEET_BUS_BIN, [
      'server',
      ...['--host', '127.0.0.1', '--port', '0', '--db', ':memory:', '--insecure=no'],
    ]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'fleet-bus: --insecure takes no value: write --insecure or --no-insecure, not --insecure=no\n',
    });
  });
});

describe('a duration longer than a timer takes', () => {
  test.each(['sync-interval', 'gc-interval'])('fleet-knowledge server --%s 720h is a usage error', async (flag) => {
    const run = await startServer(FLEET_KNOWLEDGE_BIN, [
      'server',
      ...['--host', '127.0.0.1', '--port', '0', '--db', ':memory:', `--${flag}`, '720h'],
    ]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `fleet-knowledge: --${flag} must be at most 2147483647 ms (about 24.8 days), got 720h\n`,
    });
  });
});

describe('a repeatable option spelled in camelCase', () => {
  test('fleet-bus server --allowedHost bus.internal answers that host', async () => {
    const bus = await spawnBus(['--db', ':memory:', '--allowedHost', 'bus.internal'], cleanEnv);
    try {
      expect((await requestWithHost(bus.url, '/queue', 'bus.internal')).status).toBe(200);
      expect((await requestWithHost(bus.url, '/queue', 'rebound.example')).status).not.toBe(200);
    } finally {
      bus.child.kill('SIGTERM');
      await bus.exited;
    }
  });

  test('fleet-dashboard --trustProxy is checked like --trust-proxy', async () => {
    const run = await startServer(FLEET_DASHBOARD_BIN, [
      ...['--host', '127.0.0.1', '--port', '0', '--db', ':memory:', '--trustProxy', 'nonsense'],
    ]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'fleet-dashboard: --trust-proxy: trusted proxy "nonsense" is not an IP address or a CIDR range (10.0.0.0/8)\n',
    });
  });
});

describe('an option before the command', () => {
  test.each([
    [['--json', 'status'], 'fleet: --json must come after the command: fleet status --json\n'],
    [['--bogus', 'status'], 'fleet: unknown option: --bogus\n'],
  ])('fleet %j is a usage error, nothing run', async (argv, stderr) => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    expect(await runCli(FLEET_BIN, [...argv, '--url', url], cleanEnv)).toEqual({ code: 2, stdout: '', stderr });
  });

  test('fleet --help status and fleet --version still answer', async () => {
    const help = await runCli(FLEET_BIN, ['--help', 'status'], cleanEnv);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('fleet status');
    expect(await runCli(FLEET_BIN, ['--version'], cleanEnv)).toMatchObject({ code: 0, stderr: '' });
  });
});
