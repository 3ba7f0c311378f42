import { spawn } from 'node:child_process';
import { spawnServerWithoutReader } from '@fleet/test-utils/closed-stdout';
import { runCli } from '@fleet/test-utils/run-cli';
import { FLEET_BUS_BIN, type SpawnedBus, spawnBus } from '@fleet/test-utils/spawn-bus';
import { afterAll, beforeAll, expect, test } from 'vitest';

// These run the BUILT bin (`npm test` builds first), as a user would: output whose reader is gone
// (EPIPE) must never end a command with a stack trace.
const cleanEnv = { FLEET_BUS_URL: '', FLEET_BUS_TOKEN: '', FLEET_BUS_TOKENS: '' };
let bus: SpawnedBus;

beforeAll(async () => {
  bus = await spawnBus(['--db', ':memory:'], cleanEnv);
});
afterAll(async () => {
  bus.child.kill('SIGTERM');
  await bus.exited;
});

test('tail whose reader is gone (| head -1) stops at the next message with status 0 and no stack trace', async () => {
  const agent = `reader-gone-${process.pid}`;
  const send = (type: string) =>
    runCli(FLEET_BUS_BIN, ['send', '--from', 'p', '--to', agent, '--type', type, '--url', bus.url], cleanEnv);
  const tail = spawn(process.execPath, [FLEET_BUS_BIN, 'tail', '--agent', agent, '--url', bus.url], {
    env: { ...process.env, ...cleanEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  tail.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let exitCode: number | string | undefined;
  const exited = new Promise<number | string>((resolve) =>
    tail.once('exit', (code, signal) => {
      exitCode = code ?? signal ?? 'unknown';
      resolve(exitCode);
    }),
  );
  // Like head -1: read the first line, then close the pipe.
  const firstLine = new Promise<string>((resolve) => {
    let stdout = '';
    tail.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) {
        tail.stdout.destroy();
        resolve(stdout.split('\n')[0]!);
      }
    });
  });
  while (!stderr.includes('following')) await new Promise((resolve) => setTimeout(resolve, 20));
  await send('first');
  expect(await firstLine).toMatch(/ {2}first {2}null$/);
  // The reader's absence shows on the next write: keep sending until tail has noticed.
  for (let sent = 0; exitCode === undefined && sent < 20; sent++) {
    await send(`more-${sent}`);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 250))]);
  }
  if (exitCode === undefined) tail.kill('SIGKILL');
  expect(await exited).toBe(0);
  expect(stderr).toBe(`following ${agent} on ${bus.url} (Ctrl-C to stop)\n`);
});

test('a server whose stdout is closed (| true) keeps serving, its startup line lost, and stops cleanly', async () => {
  const server = await spawnServerWithoutReader(FLEET_BUS_BIN, ['server', '--db', ':memory:'], cleanEnv);
  expect(server).toHaveProperty('url');
  if (!('url' in server)) return;
  await new Promise((resolve) => setTimeout(resolve, 200)); // the failed write's error has come by now
  const health = await fetch(`${server.url}/health`);
  expect(health.status).toBe(200);
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  expect(server.stderr()).toBe('');
});
