import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import { activateRelease } from '../../src/deploy/releases/activate-release.ts';
import { activateReleaseStep } from '../../src/deploy/releases/activate-release-step.ts';
import { listReleases } from '../../src/deploy/releases/list-releases.ts';
import { pruneReleases } from '../../src/deploy/releases/prune-releases.ts';
import { pruneReleasesStep } from '../../src/deploy/releases/prune-releases-step.ts';
import { isReleaseId, releaseId, releasePath } from '../../src/deploy/releases/release-id.ts';
import { rollbackRelease } from '../../src/deploy/releases/rollback-release.ts';
import {
  clearUnverifiedRelease,
  markReleaseUnverified,
  unverifiedRelease,
} from '../../src/deploy/releases/unverified-release.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { directoryStep } from '../../src/deploy/steps/directory.ts';
import { fileStep } from '../../src/deploy/steps/file.ts';
import { snapshot, tempHost } from './_host.ts';
import { ids, makeReleases, readLinkInLoop } from './_releases.ts';

const BASE = '/opt/fleet/bus';

describe('release ids', () => {
  test('are the UTC second and the short commit, and sort by age', () => {
    expect(releaseId(new Date('2026-12-05T14:30:01.999Z'), 'abc1234def')).toBe('20261205T143001Z-abc1234');
    expect(releaseId(new Date('2026-12-05T14:30:01Z'))).toBe('20261205T143001Z');
    const older = releaseId(new Date('2026-09-30T23:59:59Z'), 'fff');
    const newer = releaseId(new Date('2026-10-01T00:00:00Z'), '000');
    expect([newer, older].sort()).toEqual([older, newer]);
    expect(releaseId(new Date(0), 'feat/x;rm')).toBe('19700101T000000Z-featxrm');
  });

  test('refuse names that could climb out of releases/', () => {
    for (const bad of ['..', '.hidden', 'a/b', '', 'x y']) expect(isReleaseId(bad)).toBe(false);
    expect(() => releasePath(BASE, '..')).toThrow(/no release id/);
    expect(releasePath(`${BASE}/`, 'r1')).toBe(`${BASE}/releases/r1`);
  });
});

describe('activating releases', () => {
  test('current and previous point at the last two activated releases, relatively', async () => {
    const host = tempHost();
    const [r1, r2, r3] = ids(3) as [string, string, string];
    await makeReleases(host, BASE, [r1, r2, r3]);
    expect(await listReleases(host, BASE)).toEqual({ base: BASE, releases: [r1, r2, r3] });

    expect(await activateRelease(host, BASE, r1)).toEqual({ to: r1, changed: true });
    expect(await activateRelease(host, BASE, r3)).toEqual({ from: r1, to: r3, changed: true });
    expect(await activateRelease(host, BASE, r3)).toEqual({ from: r3, to: r3, changed: false });
    expect(readlinkSync(host.hostPath(`${BASE}/current`))).toBe(`releases/${r3}`);
    expect(readlinkSync(host.hostPath(`${BASE}/previous`))).toBe(`releases/${r1}`);
    expect(await listReleases(host, BASE)).toEqual({ base: BASE, releases: [r1, r2, r3], current: r3, previous: r1 });
  });

  test('a release that is not there is refused, and nothing changes', async () => {
    const host = tempHost();
    const [r1, r2] = ids(2) as [string, string];
    await makeReleases(host, BASE, [r1]);
    await activateRelease(host, BASE, r1);
    const before = snapshot(host.root);
    const error = await activateRelease(host, BASE, r2).catch((caught: unknown) => caught);
    expect(isDeployError(error) && error.code).toBe('release_missing');
    expect(snapshot(host.root)).toEqual(before);
  });

  test('a reader polling current never finds it missing during 50 swaps (and does during rm + ln)', async () => {
    const host = tempHost();
    const [r1, r2] = ids(2) as [string, string];
    await makeReleases(host, BASE, [r1, r2]);
    await activateRelease(host, BASE, r1);
    const link = host.hostPath(`${BASE}/current`);

    const reader = readLinkInLoop(link);
    await reader.ready;
    for (let swap = 0; swap < 50; swap++) await activateRelease(host, BASE, swap % 2 === 0 ? r2 : r1);
    const report = await reader.stop();
    expect(report.missing).toBe(0);
    expect(report.targets.sort()).toEqual([`releases/${r1}`, `releases/${r2}`]);

    // The same reader does see the gap of a non-atomic swap: the check above can fail.
    const control = readLinkInLoop(link);
    await control.ready;
    for (let swap = 0; swap < 50; swap++) {
      await host.run(['rm', '-f', link]);
      await host.run(['ln', '-s', `releases/${swap % 2 === 0 ? r2 : r1}`, link]);
    }
    expect((await control.stop()).missing).toBeGreaterThan(0);
  });
});

describe('pruning releases', () => {
  test('keeps the newest five', async () => {
    const host = tempHost();
    const all = ids(8);
    await makeReleases(host, BASE, all);
    await activateRelease(host, BASE, all[6]!);
    await activateRelease(host, BASE, all[7]!);
    expect(await pruneReleases(host, BASE, { keep: 5 })).toEqual({ removed: all.slice(0, 3), kept: all.slice(3) });
    expect(readdirSync(host.hostPath(`${BASE}/releases`)).sort()).toEqual(all.slice(3));
    expect(await pruneReleases(host, BASE)).toEqual({ removed: [], kept: all.slice(3) });
  });

  test('never removes the current or previous release, even when they are the oldest', async () => {
    const host = tempHost();
    const all = ids(8);
    await makeReleases(host, BASE, all);
    await activateRelease(host, BASE, all[1]!);
    await activateRelease(host, BASE, all[0]!);
    const { removed, kept } = await pruneReleases(host, BASE, { keep: 3 });
    expect(removed).toEqual(all.slice(2, 5));
    expect(kept).toEqual([all[0], all[1], ...all.slice(5)]);
    expect(existsSync(host.hostPath(releasePath(BASE, all[0]!)))).toBe(true);
    expect(existsSync(host.hostPath(releasePath(BASE, all[1]!)))).toBe(true);
    // A rollback still has somewhere to go.
    expect(await rollbackRelease(host, BASE)).toEqual({ from: all[0], to: all[1], changed: true });
  });

  test('keeps the last verified release while the current one is unverified (killed runs in a row)', async () => {
    const host = tempHost();
    const all = ids(8);
    await makeReleases(host, BASE, all);
    await activateRelease(host, BASE, all[0]!);
    // Seven gated activations, each killed before its gate: the first release stays the last verified.
    for (const id of all.slice(1)) {
      await markReleaseUnverified(host, BASE, id);
      await activateRelease(host, BASE, id);
    }
    expect(await listReleases(host, BASE)).toMatchObject({ current: all[7], previous: all[6], verified: all[0] });
    const { removed } = await pruneReleases(host, BASE, { keep: 3 });
    expect(removed).toEqual(all.slice(1, 5));
    expect(await rollbackRelease(host, BASE, { to: all[0]! })).toMatchObject({ to: all[0], changed: true });
  });

  test('a prune cut short half-way is hidden from the list and finished by the next', async () => {
    const host = tempHost();
    const all = ids(3);
    await makeReleases(host, BASE, all);
    await activateRelease(host, BASE, all[2]!);
    await host.mkdir(`${BASE}/releases/.prune-${all[0]}/half`);
    expect((await listReleases(host, BASE)).releases).toEqual(all);
    await pruneReleases(host, BASE, { keep: 1 });
    expect(readdirSync(host.hostPath(`${BASE}/releases`))).toEqual([all[2]]);
  });

  test('a half-extracted <id>.partial is no release: not listed, takes no keep slot, cannot be rolled back to', async () => {
    const host = tempHost();
    const all = ids(5);
    const partial = `${all[4]}.partial`;
    await makeReleases(host, BASE, all.slice(0, 4));
    await activateRelease(host, BASE, all[2]!);
    await activateRelease(host, BASE, all[3]!);
    // What a bundle step killed before its rename leaves behind.
    await host.mkdir(`${BASE}/releases/${partial}/half`);
    expect(await listReleases(host, BASE)).toEqual({
      base: BASE,
      releases: all.slice(0, 4),
      current: all[3],
      previous: all[2],
    });
    const rollback = await rollbackRelease(host, BASE, { to: partial }).catch((caught: unknown) => caught);
    expect(isDeployError(rollback) && rollback.code).toBe('release_missing');
    const activation = await activateRelease(host, BASE, partial).catch((caught: unknown) => caught);
    expect(isDeployError(activation) && activation.code).toBe('invalid_path');
    expect(await listReleases(host, BASE)).toMatchObject({ current: all[3], previous: all[2] });
    expect(await pruneReleases(host, BASE, { keep: 3 })).toEqual({ removed: [all[0]], kept: all.slice(1, 4) });
    expect(readdirSync(host.hostPath(`${BASE}/releases`)).sort()).toEqual([...all.slice(1, 4), partial]);
    expect(isReleaseId(partial)).toBe(false);
  });

  test('keep must be at least 1', async () => {
    const host = tempHost();
    await expect(pruneReleases(host, BASE, { keep: 0 })).rejects.toThrow(/at least 1/);
  });
});

describe('rolling back', () => {
  test('swaps current and previous, so rolling back twice returns to the start, repeatedly', async () => {
    const host = tempHost();
    const [r1, r2, r3] = ids(3) as [string, string, string];
    await makeReleases(host, BASE, [r1, r2, r3]);
    await activateRelease(host, BASE, r1);
    await activateRelease(host, BASE, r2);
    for (let round = 0; round < 3; round++) {
      expect(await rollbackRelease(host, BASE)).toEqual({ from: r2, to: r1, changed: true });
      expect(await listReleases(host, BASE)).toMatchObject({ current: r1, previous: r2 });
      expect(await rollbackRelease(host, BASE)).toEqual({ from: r1, to: r2, changed: true });
      expect(await listReleases(host, BASE)).toMatchObject({ current: r2, previous: r1 });
    }
    await activateRelease(host, BASE, r3);
    expect(await rollbackRelease(host, BASE, { to: r1 })).toEqual({ from: r3, to: r1, changed: true });
    expect(await listReleases(host, BASE)).toMatchObject({ current: r1, previous: r3 });
  });

  test('a gated rollback marks the release gone back to unverified, keeping the last verified one', async () => {
    const host = tempHost();
    const [a, b, c, d] = ids(4) as [string, string, string, string];
    await makeReleases(host, BASE, [a, b, c, d]);
    await activateRelease(host, BASE, a);
    // Two gated activations killed before their gates, then a rollback to the previous one (b).
    for (const id of [b, c]) {
      await markReleaseUnverified(host, BASE, id);
      await activateRelease(host, BASE, id);
    }
    await rollbackRelease(host, BASE, { gated: true });
    expect(await listReleases(host, BASE)).toMatchObject({ current: b, verified: a });
    expect((await listReleases(host, BASE)).unverified).toEqual(await unverifiedRelease(host, BASE));
    // The next deploy's activation keeps a as the release to roll back to, not b.
    expect(await markReleaseUnverified(host, BASE, d)).toEqual({ release: d, verified: a });
  });

  test("the list carries current's unverified mark as unverifiedRelease reads it, and none for a stale mark", async () => {
    const host = tempHost();
    const [a, b, c] = ids(3) as [string, string, string];
    await makeReleases(host, BASE, [a, b, c]);
    expect((await listReleases(host, BASE)).unverified).toBeUndefined();
    // A host's first gated activation: unverified, with nothing verified to go back to.
    await markReleaseUnverified(host, BASE, a);
    await activateRelease(host, BASE, a);
    expect((await listReleases(host, BASE)).unverified).toEqual({ release: a });
    expect(await unverifiedRelease(host, BASE)).toEqual({ release: a });
    await clearUnverifiedRelease(host, BASE, a);
    expect((await listReleases(host, BASE)).unverified).toBeUndefined();
    // A mark written for b by a run killed before its swap: stale, current a passed its gate.
    await markReleaseUnverified(host, BASE, b);
    expect((await listReleases(host, BASE)).unverified).toBeUndefined();
    expect(await unverifiedRelease(host, BASE)).toBeUndefined();
  });

  test('refuses when there is nothing to go back to', async () => {
    const host = tempHost();
    const [r1] = ids(1) as [string];
    const none = await rollbackRelease(host, BASE).catch((caught: unknown) => caught);
    expect(isDeployError(none) && none.message).toMatch(/current is no release/);
    await makeReleases(host, BASE, [r1]);
    await activateRelease(host, BASE, r1);
    const first = await rollbackRelease(host, BASE).catch((caught: unknown) => caught);
    expect(isDeployError(first) && first.code).toBe('release_missing');
    expect((first as Error).message).toMatch(/no previous release/);
    await expect(rollbackRelease(host, BASE, { to: 'gone' })).rejects.toThrow(/not there/);
  });
});

describe('release steps in a plan', () => {
  test('plan mode changes nothing; apply fills, activates and prunes; a second apply changes nothing', async () => {
    const host = tempHost();
    const old = ids(6);
    await makeReleases(host, BASE, old);
    await activateRelease(host, BASE, old[5]!);
    const id = releaseId(new Date('2027-01-01T00:00:00Z'), 'cafe123');
    const plan = {
      phases: [
        {
          name: 'release',
          steps: [
            directoryStep({ path: releasePath(BASE, id) }),
            fileStep({ path: `${releasePath(BASE, id)}/bus.env`, content: 'PORT=8650\n' }),
            activateReleaseStep({ base: BASE, id }),
            pruneReleasesStep({ base: BASE, keep: 3 }),
          ],
        },
      ],
    };
    const before = snapshot(host.root);
    const planned = await runPlan(plan, { executor: host, mode: 'plan' });
    expect(snapshot(host.root)).toEqual(before);
    const [, , activate, prune] = planned.phases[0]!.steps;
    expect(activate).toMatchObject({ kind: 'release', status: 'changed' });
    expect(activate!.changes).toEqual([
      { action: 'update', target: `${BASE}/current`, attribute: 'target', summary: `release ${old[5]} -> ${id}` },
    ]);
    expect(prune!.changes.map((change) => change.summary)).toEqual(old.slice(0, 3).map((r) => `remove release ${r}`));

    const applied = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(applied.status).toBe('changed');
    expect(await listReleases(host, BASE)).toEqual({
      base: BASE,
      releases: [old[4], old[5], id],
      current: id,
      previous: old[5],
    });
    const again = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(again.counts).toMatchObject({ changed: 0, failed: 0 });
  });

  test('a first activation creates current', async () => {
    const host = tempHost();
    const [r1] = ids(1) as [string];
    await makeReleases(host, BASE, [r1]);
    const plan = { phases: [{ name: 'p', steps: [activateReleaseStep({ base: BASE, id: r1 })] }] };
    const planned = await runPlan(plan, { executor: host, mode: 'plan' });
    expect(planned.phases[0]!.steps[0]!.changes).toEqual([
      { action: 'create', target: `${BASE}/current`, summary: `create -> releases/${r1}` },
    ]);
    await runPlan(plan, { executor: host, mode: 'apply' });
    expect(readlinkSync(join(host.root, BASE, 'current'))).toBe(`releases/${r1}`);
  });
});
