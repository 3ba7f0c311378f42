import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SilentHost, startSilentHost } from '@fleet/test-utils/silent-host';
import { afterEach, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import { SshExecutor } from '../../src/deploy/ssh-executor.ts';

// A host that accepts the TCP connection and never says a word (a hung sshd, a tarpit): the SSH
// handshake waits for its banner until the ready timeout.

let host: SilentHost | undefined;
let dir: string | undefined;
afterEach(async () => {
  await host?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('close() gives up a connect the host never answers: pending calls reject, the socket closes', async () => {
  host = await startSilentHost();
  dir = mkdtempSync(join(tmpdir(), 'fleet-ssh-silent-'));
  const executor = new SshExecutor({
    address: '127.0.0.1',
    port: host.port,
    username: 'root',
    agent: join(dir, 'no-agent.sock'),
    knownHostsFile: join(dir, 'known_hosts'),
    // Far beyond the test's own timeout: only close() can end the wait.
    readyTimeoutMs: 600_000,
  });
  const pending = executor.stat('/').then(
    () => new Error('it succeeded'),
    (caught: unknown) => caught as Error,
  );
  await host.connected;

  await executor.close();

  const error = await pending;
  expect(isDeployError(error) && error.code).toBe('executor_failed');
  expect(error.message).toMatch(/Could not connect to .*the attempt was given up/);
  await host.closed;
  await expect(executor.stat('/')).rejects.toThrow(/the executor was closed/);
});
