import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestHost, TestHosts } from '@fleet/test-utils/test-hosts';
import { afterEach } from 'vitest';
import { SshExecutor } from '../../src/deploy/ssh-executor.ts';
import type { SshExecutorOptions } from '../../src/deploy/ssh-executor-options.ts';

/**
 * `sshTo(host, options)`: an SshExecutor for a test host as root with the run's key and
 * known_hosts, closed after each test. Call it inside the suite's `describe`.
 */
export function sshExecutors(
  run: () => TestHosts,
): (host: TestHost, options?: Partial<SshExecutorOptions>) => SshExecutor {
  const executors: SshExecutor[] = [];
  afterEach(async () => {
    await Promise.all(executors.splice(0).map((executor) => executor.close()));
  });
  return (host, options = {}) => {
    const executor = new SshExecutor({
      address: host.address,
      username: host.username,
      identity: host.clientKey.privateKeyPath,
      knownHostsFile: run().knownHostsPath,
      readyTimeoutMs: 5_000,
      ...options,
    });
    executors.push(executor);
    return executor;
  };
}

/** A fresh directory on the host under one of its private mounts: its host path and its backing path here. */
export function scratch(host: TestHost, mount: 'optFleet' | 'etcFleet' = 'optFleet'): { path: string; local: string } {
  const base = host.dirs[mount];
  const local = mkdtempSync(join(base, 't-'));
  const hostBase = mount === 'optFleet' ? '/opt/fleet' : '/etc/fleet';
  return { path: `${hostBase}/${local.slice(base.length + 1)}`, local };
}

/** What `promise` rejected with (an Error saying it succeeded, if it did). */
export const settle = (promise: Promise<unknown>): Promise<Error> =>
  promise.then(
    () => new Error('it succeeded'),
    (caught: unknown) => (caught instanceof Error ? caught : new Error(String(caught))),
  );

/** Waits until `condition()` holds; the test's timeout bounds it. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(20);
}
