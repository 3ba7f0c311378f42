import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Plan, type RunResult, runPlan, SshExecutor } from '@fleet/sdk/deploy';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ReleaseBundle } from '../src/bundle/build-release-bundle.ts';
import { releaseBundleStep } from '../src/steps/release-bundle-step.ts';
import { BUNDLE_MARKER, bundleReleaseId } from '../src/steps/release-id.ts';
import { serverBins, serversBundle } from './_fixtures.ts';

const BASE = '/opt/fleet/app';
const PORT = 8650;

/** GETs `url` until it answers, or fails with the server's output once `server` has ended. */
async function healthOf(url: string, server: Promise<RunResult>): Promise<unknown> {
  let ended: string | undefined;
  void server.then(
    (result) => {
      ended = result.output;
    },
    (error: unknown) => {
      ended = String(error);
    },
  );
  for (;;) {
    if (ended !== undefined) throw new Error(`the server ended before answering: ${ended}`);
    try {
      return await (await fetch(url)).json();
    } catch {
      await sleep(100);
    }
  }
}

describe.skipIf(!hasTestHostDeps())('releaseBundleStep on a real test host over SSH', () => {
  let hosts: TestHosts;
  let host: TestHost;
  let executor: SshExecutor;
  let bundle: ReleaseBundle;

  beforeAll(async () => {
    hosts = await startTestHosts(1);
    host = hosts.hosts[0] as TestHost;
    executor = new SshExecutor({
      address: host.address,
      username: host.username,
      identity: host.clientKey.privateKeyPath,
      knownHostsFile: hosts.knownHostsPath,
    });
    bundle = await serversBundle(serverBins().filter((bin) => bin.endsWith('fleet-bus.js')));
  }, 300_000);
  afterAll(async () => {
    await executor?.close();
    await hosts?.close();
  });

  test('the bundle uploaded and extracted on the host runs the bus there, which answers /health here; a second apply changes nothing', async () => {
    const now = new Date('2025-06-01T12:30:00Z');
    const plan: Plan = { phases: [{ name: 'release', steps: [releaseBundleStep({ base: BASE, bundle, now })] }] };
    const first = await runPlan(plan, { executor, mode: 'apply' });
    expect(first.status).toBe('changed');
    const id = bundleReleaseId(bundle.id, now);
    const release = `${BASE}/releases/${id}`;
    const local = join(host.dirs.optFleet, 'app/releases', id);
    expect(readFileSync(join(local, BUNDLE_MARKER), 'utf8')).toBe(`${bundle.sha256}\n`);

    const stop = new AbortController();
    const server = executor.run(
      [
        process.execPath,
        `${release}/${bundle.bins['fleet-bus']}`,
        'server',
        '--host',
        host.address,
        '--port',
        String(PORT),
        '--insecure',
        '--db',
        ':memory:',
      ],
      { signal: stop.signal, timeoutMs: 120_000 },
    );
    try {
      expect(await healthOf(`http://${host.address}:${PORT}/health`, server)).toMatchObject({
        status: 'ok',
        service: 'fleet-bus',
      });
    } finally {
      stop.abort();
      await server;
    }

    const second = await runPlan(
      { phases: [{ name: 'release', steps: [releaseBundleStep({ base: BASE, bundle })] }] },
      { executor, mode: 'apply' },
    );
    expect(second.status).toBe('ok');
    expect(second.counts).toMatchObject({ changed: 0, failed: 0 });
  });
});
