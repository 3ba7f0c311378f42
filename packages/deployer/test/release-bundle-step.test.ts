import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeployError, LocalExecutor, type Plan, runPlan } from '@fleet/sdk/deploy';
import { beforeAll, describe, expect, test } from 'vitest';
import { buildReleaseBundle, type ReleaseBundle } from '../src/bundle/build-release-bundle.ts';
import { findBundleRelease } from '../src/steps/find-bundle-release.ts';
import { INSTALL_BUNDLE_SCRIPT } from '../src/steps/internal/install-bundle-script.ts';
import { type ReleaseBundleStepOptions, releaseBundleStep } from '../src/steps/release-bundle-step.ts';
import { BUNDLE_MARKER, bundleReleaseId } from '../src/steps/release-id.ts';
import { fixtureProject, tempDir } from './_fixtures.ts';

const BASE = '/opt/fleet/app';
const JUNE = new Date('2025-06-01T12:30:00Z');

/** A plan of one release step. */
function releasePlan(options: ReleaseBundleStepOptions): Plan {
  return { phases: [{ name: 'release', steps: [releaseBundleStep(options)] }] };
}

/** A LocalExecutor whose `/` is a fresh temp directory, and where its releases directory is here. */
function localHost(): { executor: LocalExecutor; releases: string } {
  const executor = new LocalExecutor({ root: tempDir('host') });
  return { executor, releases: executor.hostPath(`${BASE}/releases`) };
}

/** A file of bytes that is no gzip, named like a bundle. */
function brokenBundle(): ReleaseBundle {
  const file = join(tempDir('broken'), 'broken.tar.gz');
  writeFileSync(file, Buffer.from('this is not a gzipped tarball'));
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  return { file, sha256, id: sha256.slice(0, 12), files: 0, bytes: 29, bins: {} };
}

describe('releaseId', () => {
  test('is the UTC time to the second, then the bundle id: it sorts by time', () => {
    expect(bundleReleaseId('3f2a9c1b7d0e', new Date('2025-06-01T12:30:05.987Z'))).toBe('20250601T123005Z-3f2a9c1b7d0e');
    expect(
      bundleReleaseId('a', new Date('2025-06-01T09:00:00Z')) < bundleReleaseId('a', new Date('2025-06-01T10:00:00Z')),
    ).toBe(true);
  });
});

describe('releaseBundleStep on a local host', () => {
  let bundle: ReleaseBundle;
  beforeAll(async () => {
    bundle = await buildReleaseBundle({ bins: [fixtureProject().bin], out: tempDir('out') });
  });

  test('an apply extracts the bundle into releases/<time>-<id> with its marker, and leaves nothing else', async () => {
    const { executor, releases } = localHost();
    const id = bundleReleaseId(bundle.id, JUNE);
    const result = await runPlan(releasePlan({ base: BASE, bundle, now: JUNE }), { executor, mode: 'apply' });
    expect(result.status).toBe('changed');
    expect(result.phases[0]?.steps[0]?.changes).toEqual([
      { action: 'create', target: `${BASE}/releases/${id}`, summary: `create release ${id}` },
    ]);
    expect(readdirSync(releases)).toEqual([id]);
    expect(readFileSync(join(releases, id, BUNDLE_MARKER), 'utf8')).toBe(`${bundle.sha256}\n`);
    const bin = join(releases, id, bundle.bins['fixture-app'] ?? '');
    expect(execFileSync(process.execPath, [bin], { encoding: 'utf8' })).toBe('hello from lib\n');
  });

  test('a second apply of the same bundle, later, finds its release and changes nothing', async () => {
    const { executor, releases } = localHost();
    await runPlan(releasePlan({ base: BASE, bundle, now: JUNE }), { executor, mode: 'apply' });
    const later = await runPlan(releasePlan({ base: BASE, bundle, now: new Date('2025-07-01T00:00:00Z') }), {
      executor,
      mode: 'apply',
    });
    expect(later.status).toBe('ok');
    expect(later.counts).toMatchObject({ changed: 0, failed: 0 });
    expect(readdirSync(releases)).toEqual([bundleReleaseId(bundle.id, JUNE)]);
    expect(await findBundleRelease(executor, BASE, bundle)).toEqual({
      name: bundleReleaseId(bundle.id, JUNE),
      path: `${BASE}/releases/${bundleReleaseId(bundle.id, JUNE)}`,
    });
  });

  test('plan mode on a fresh host says it would create the release, and creates nothing', async () => {
    const { executor } = localHost();
    const result = await runPlan(releasePlan({ base: BASE, bundle, now: JUNE }), { executor, mode: 'plan' });
    expect(result.status).toBe('changed');
    expect(result.phases[0]?.steps[0]?.changes[0]?.summary).toBe(`create release ${bundleReleaseId(bundle.id, JUNE)}`);
    expect(readdirSync(executor.root)).toEqual([]);
  });

  test('a half-extracted release, one without its marker or with another hash, is not taken for the bundle', async () => {
    const { executor, releases } = localHost();
    const partial = join(releases, `20250101T000000Z-${bundle.id}.partial`);
    const unmarked = join(releases, `20250102T000000Z-${bundle.id}`);
    const other = join(releases, `20250103T000000Z-${bundle.id}`);
    for (const dir of [partial, unmarked, other]) mkdirSync(dir, { recursive: true });
    writeFileSync(join(partial, BUNDLE_MARKER), `${bundle.sha256}\n`);
    writeFileSync(join(other, BUNDLE_MARKER), `${'0'.repeat(64)}\n`);
    expect(await findBundleRelease(executor, BASE, bundle)).toBeUndefined();
    const result = await runPlan(releasePlan({ base: BASE, bundle, now: JUNE }), { executor, mode: 'apply' });
    expect(result.status).toBe('changed');
    expect(readdirSync(releases).sort()).toEqual(
      [
        `20250101T000000Z-${bundle.id}.partial`,
        `20250102T000000Z-${bundle.id}`,
        `20250103T000000Z-${bundle.id}`,
        bundleReleaseId(bundle.id, JUNE),
      ].sort(),
    );
  });

  test('of several complete releases of the bundle, the newest is found', async () => {
    const { executor, releases } = localHost();
    for (const name of [
      `20250101T000000Z-${bundle.id}`,
      `20250301T000000Z-${bundle.id}`,
      `20250201T000000Z-${bundle.id}`,
    ]) {
      mkdirSync(join(releases, name), { recursive: true });
      writeFileSync(join(releases, name, BUNDLE_MARKER), `${bundle.sha256}\n`);
    }
    expect((await findBundleRelease(executor, BASE, bundle))?.name).toBe(`20250301T000000Z-${bundle.id}`);
  });

  test('an upload that does not extract fails the step and leaves neither the upload nor a half-made release', async () => {
    const { executor, releases } = localHost();
    const broken = brokenBundle();
    const result = await runPlan(releasePlan({ base: BASE, bundle: broken, now: JUNE }), { executor, mode: 'apply' });
    expect(result.status).toBe('failed');
    expect(result.phases[0]?.steps[0]?.error).toContain(`Extracting the bundle ${broken.id}`);
    expect(readdirSync(releases)).toEqual([]);
  });

  test('an install stopped by SIGTERM (its timeout) still removes the upload and the half-made release', () => {
    const releases = tempDir('releases');
    const id = bundleReleaseId(bundle.id, JUNE);
    // A FIFO nobody writes: tar blocks opening it, with `<id>.partial` already made.
    execFileSync('mkfifo', [join(releases, `.${id}.tar.gz`)]);
    // GNU `timeout`, as the executors run a command: SIGTERM to the script's whole process group.
    const args = ['-k', '5s', '1s', 'sh', '-c', INSTALL_BUNDLE_SCRIPT, 'sh', `.${id}.tar.gz`, id, bundle.sha256];
    expect(spawnSync('timeout', args, { cwd: releases }).status).toBe(124);
    expect(readdirSync(releases)).toEqual([]);
  });

  test("a bundle file whose hash is not the bundle's fails before anything is uploaded", async () => {
    const { executor, releases } = localHost();
    const result = await runPlan(
      releasePlan({ base: BASE, bundle: { ...bundle, sha256: '0'.repeat(64) }, now: JUNE }),
      {
        executor,
        mode: 'apply',
      },
    );
    expect(result.status).toBe('failed');
    expect(result.phases[0]?.steps[0]?.error).toContain('SHA-256 differs');
    expect(existsSync(releases)).toBe(false);
  });

  test('with an id, it makes exactly that release, and refuses a directory of that name that is no release of it', async () => {
    const { executor, releases } = localHost();
    const id = `20240101T000000Z-${bundle.id}`;
    await runPlan(releasePlan({ base: BASE, bundle, now: JUNE }), { executor, mode: 'apply' });
    const named = await runPlan(releasePlan({ base: BASE, bundle, id }), { executor, mode: 'apply' });
    expect(named.status).toBe('changed');
    expect(readFileSync(join(releases, id, BUNDLE_MARKER), 'utf8')).toBe(`${bundle.sha256}\n`);
    expect((await runPlan(releasePlan({ base: BASE, bundle, id }), { executor, mode: 'apply' })).status).toBe('ok');

    const squatted = `20240102T000000Z-${bundle.id}`;
    mkdirSync(join(releases, squatted));
    const refused = await runPlan(releasePlan({ base: BASE, bundle, id: squatted }), { executor, mode: 'plan' });
    expect(refused.status).toBe('failed');
    expect(refused.phases[0]?.steps[0]?.error).toContain('no complete release');
  });

  test('an id that does not end with the bundle id is a plan error', () => {
    const error = (() => {
      try {
        releaseBundleStep({ base: BASE, bundle, id: '20240101T000000Z-other' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isDeployError(error) && error.code).toBe('invalid_plan');
  });
});
