import type { TestHost, TestHosts } from '@fleet/test-utils/test-hosts';
import { afterEach } from 'vitest';
import { SshExecutor } from '../../src/deploy/ssh-executor.ts';

const open: SshExecutor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((executor) => executor.close()));
});

/** An SshExecutor for a test host, as root with the run's key, closed after the test. */
export function sshAsRoot(run: TestHosts, host: TestHost): SshExecutor {
  const executor = new SshExecutor({
    address: host.address,
    username: host.username,
    identity: host.clientKey.privateKeyPath,
    knownHostsFile: run.knownHostsPath,
    readyTimeoutMs: 5_000,
  });
  open.push(executor);
  return executor;
}
