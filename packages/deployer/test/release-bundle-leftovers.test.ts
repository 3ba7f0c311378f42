import { mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Executor, LocalExecutor, runPlan, SshExecutor } from '@fleet/sdk/deploy';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildReleaseBundle, type ReleaseBundle } from '../src/bundle/build-release-bundle.ts';
import { releaseBundleStep } from '../src/steps/release-bundle-step.ts';
import { BUNDLE_MARKER, bundleReleaseId } from '../src/steps/release-id.ts';
import { fixtureProject, tempDir } from './_fixtures.ts';

const BASE = '/opt/fleet/app';
const JUNE = new Date('2025-06-01T12:30:00Z');
const AN_HOUR_AGO = new Date(Date.now() - 3_600_000);

/** Makes `path` (and its parents), with `content`, or a directory of one file when `content` is undefined. */
function make(path: string, content?: string, mtime?: Date): void {
  mkdirSync(join(path, '..'), { recursive: true });
  if (content === undefined) {
    mkdirSync(path);
    writeFileSync(join(path, 'half.js'), 'half a file');
  } else {
    writeFileSync(path, content);
  }
  if (mtime !== undefined) utimesSync(path, mtime, mtime);
}

/**
 * Leaves under `base` (this machine's view of the host's `/opt/fleet/app`) what killed runs leave,
 * beside a current release: returns the names under `releases/` the next install must keep.
 */
function leaveLeftovers(base: string, bundleId: string): string[] {
  const releases = join(base, 'releases');
  const current = `20250501T000000Z-${bundleId}`;
  make(join(releases, current), undefined, AN_HOUR_AGO);
  writeFileSync(join(releases, current, BUNDLE_MARKER), 'sha\n');
  symlinkSync(`${BASE}/releases/${current}`, join(base, 'current'));
  // A reboot mid-extraction: the upload and the half-extracted directory.
  make(join(releases, `20250510T000000Z-${bundleId}.partial`), undefined, AN_HOUR_AGO);
  make(join(releases, `.20250510T000000Z-${bundleId}.tar.gz`), 'bundle bytes', AN_HOUR_AGO);
  // A deployer SIGKILLed mid-upload: the upload's temp file.
  make(join(releases, `..20250511T000000Z-${bundleId}.tar.gz.fleet-0123456789ab.tmp`), 'half', AN_HOUR_AGO);
  // Recent ones (an install that may still run) and old ones outside releases/ stay.
  make(join(releases, `20250601T120000Z-${bundleId}.partial`));
  make(join(releases, `.20250601T120000Z-${bundleId}.tar.gz`), 'bundle bytes');
  make(join(base, 'old.partial'), undefined, AN_HOUR_AGO);
  make(join(releases, current, 'nested.partial'), undefined, AN_HOUR_AGO);
  return [current, `20250601T120000Z-${bundleId}.partial`, `.20250601T120000Z-${bundleId}.tar.gz`];
}

/** Installs `bundle` on `executor` over the leftovers left in `base`, then checks what is left. */
async function expectLeftoversRemoved(executor: Executor, base: string, bundle: ReleaseBundle): Promise<void> {
  const kept = leaveLeftovers(base, bundle.id);
  const id = bundleReleaseId(bundle.id, JUNE);
  const plan = { phases: [{ name: 'release', steps: [releaseBundleStep({ base: BASE, bundle, now: JUNE })] }] };
  const result = await runPlan(plan, { executor, mode: 'apply' });
  expect(result.status).toBe('changed');
  expect(readdirSync(join(base, 'releases')).sort()).toEqual([...kept, id].sort());
  expect(readFileSync(join(base, 'releases', id, BUNDLE_MARKER), 'utf8')).toBe(`${bundle.sha256}\n`);
  expect(readdirSync(join(base, 'releases', kept[0] as string)).sort()).toEqual(
    [BUNDLE_MARKER, 'half.js', 'nested.partial'].sort(),
  );
  expect(readdirSync(base).sort()).toEqual(['current', 'old.partial', 'releases']);
}

describe('releaseBundleStep and what killed installs left', () => {
  let bundle: ReleaseBundle;
  beforeAll(async () => {
    bundle = await buildReleaseBundle({ bins: [fixtureProject().bin], out: tempDir('out') });
  });

  test('an install removes old .partial directories, uploads and upload temp files under releases/, and only those', async () => {
    const executor = new LocalExecutor({ root: tempDir('host') });
    await expectLeftoversRemoved(executor, executor.hostPath(BASE), bundle);
  });

  test('a leftover is removed once 10 minutes old, or 5 minutes past a longer install timeout', async () => {
    const executor = new LocalExecutor({ root: tempDir('host') });
    const releases = executor.hostPath(`${BASE}/releases`);
    const leftover = `20250510T000000Z-${bundle.id}.partial`;
    make(join(releases, leftover), undefined, new Date(Date.now() - 12 * 60_000));
    const install = (now: Date, timeoutMs?: number) =>
      runPlan(
        {
          phases: [
            {
              name: 'release',
              steps: [
                releaseBundleStep({
                  base: BASE,
                  bundle,
                  id: bundleReleaseId(bundle.id, now),
                  ...(timeoutMs === undefined ? {} : { timeoutMs }),
                }),
              ],
            },
          ],
        },
        { executor, mode: 'apply' },
      );
    expect((await install(new Date('2025-06-01T12:00:00Z'), 600_000)).status).toBe('changed');
    expect(readdirSync(releases)).toContain(leftover);
    expect((await install(new Date('2025-06-02T12:00:00Z'))).status).toBe('changed');
    expect(readdirSync(releases)).not.toContain(leftover);
  });
});

describe.skipIf(!hasTestHostDeps())('releaseBundleStep and what killed installs left, on a real test host', () => {
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
    bundle = await buildReleaseBundle({ bins: [fixtureProject().bin], out: tempDir('out') });
  }, 300_000);
  afterAll(async () => {
    await executor?.close();
    await hosts?.close();
  });

  test('an install over SSH removes old .partial directories, uploads and upload temp files under releases/, and only those', async () => {
    await expectLeftoversRemoved(executor, join(host.dirs.optFleet, 'app'), bundle);
  });
});
