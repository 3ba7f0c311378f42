import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import { resolveConnectionOptions } from '../../src/deploy/ssh-executor-options.ts';
import { settle, sshExecutors } from './_ssh.ts';

test('by default keepalive gives up on a silent host within 30 s', async () => {
  const resolved = await resolveConnectionOptions({ address: '192.0.2.1', agent: '/nonexistent' }, 'h', 'root');
  expect(resolved.keepaliveIntervalMs * resolved.keepaliveCountMax).toBeLessThanOrEqual(30_000);
  expect(resolved.keepaliveIntervalMs).toBeGreaterThan(0);
});

describe.skipIf(!hasTestHostDeps())('SshExecutor: a host that dies', () => {
  let run: TestHosts;
  let a: TestHost;
  let b: TestHost;
  const sshTo = sshExecutors(() => run);

  beforeAll(async () => {
    run = await startTestHosts(2);
    [a, b] = run.hosts as [TestHost, TestHost];
  });
  afterAll(() => run?.close());

  test('killed mid-command: the run fails with a clear error, later calls fail fast, a restart brings it back', async () => {
    const host = sshTo(b, { keepaliveIntervalMs: 1_000 });
    await host.run(['true']);
    const running = settle(host.run(['sleep', '60']));
    await new Promise((resolve) => setTimeout(resolve, 300));
    b.kill('SIGKILL');
    const error = await running;
    expect(isDeployError(error) && error.code).toBe('executor_failed');
    expect(error.message).toMatch(new RegExp(`SSH to ${b.address}: the connection was lost`));
    const later = await settle(host.stat('/'));
    expect(isDeployError(later) && later.code).toBe('executor_failed');
    expect(later.message).toMatch(/Could not connect to .*ECONNREFUSED/);
    await b.restart();
    expect((await host.run(['hostname'])).stdout).toBe(`${b.name}\n`);
    expect((await sshTo(b).run(['hostname'])).stdout).toBe(`${b.name}\n`);
  });

  test('gone silent mid-command: keepalive fails the run, later calls fail, a new executor works once it is back', async () => {
    const host = sshTo(a, { keepaliveIntervalMs: 1_000, keepaliveCountMax: 3, readyTimeoutMs: 2_000 });
    await host.run(['true']);
    const running = settle(host.run(['sleep', '60']));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await a.cutNetwork();
    try {
      const error = await running;
      expect(isDeployError(error) && error.code).toBe('executor_failed');
      expect(error.message).toMatch(/connection was lost \(Keepalive timeout\)/);
      const later = await settle(host.run(['true']));
      expect(isDeployError(later) && later.code).toBe('executor_failed');
      expect(later.message).toMatch(/Could not connect to /);
    } finally {
      await a.restoreNetwork();
    }
    expect((await sshTo(a).run(['hostname'])).stdout).toBe(`${a.name}\n`);
    expect((await host.run(['hostname'])).stdout).toBe(`${a.name}\n`);
  }, 25_000);

  test('close() is idempotent and later calls reject', async () => {
    const host = sshTo(a);
    await host.run(['true']);
    await host.close();
    await host.close();
    await expect(host.run(['true'])).rejects.toThrow(/the executor was closed/);
  });
});
