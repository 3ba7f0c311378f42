import { spawnSync } from 'node:child_process';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { describe, expect, test } from 'vitest';
import { LocalExecutor } from '../../src/deploy/local-executor.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { packagesStep } from '../../src/deploy/steps/packages.ts';
import { CountingExecutor } from './_host.ts';

// Nothing is installed here: these tests have no network. An installed package stands for the
// converged case; a real package that is not installed for plan mode; a name apt does not know for
// apply, which fails before it could download anything.
const installed = (name: string) =>
  spawnSync('dpkg-query', ['-W', `-f=\${db:Status-Abbrev}`, name], { encoding: 'utf8' }).stdout.startsWith('ii');
const NOT_INSTALLED = ['sl', 'cowsay', 'fortune-mod', 'bsdgames'].find((name) => !installed(name));
const hasDpkg = hasSystemCommand('dpkg-query', 'dpkg') && hasSystemCommand('apt-get', 'apt');

describe.skipIf(!hasDpkg)('packagesStep on this machine', () => {
  const executor = new LocalExecutor();
  const plan = (packages: string[]): Plan => ({ phases: [{ name: 'packages', steps: [packagesStep({ packages })] }] });

  test('installed packages are 0 changes in plan and apply mode, checked with one dpkg-query', async () => {
    expect(installed('openssh-server')).toBe(true);
    for (const mode of ['plan', 'apply'] as const) {
      const counting = new CountingExecutor(executor);
      const result = await runPlan(plan(['openssh-server', 'dpkg']), { executor: counting, mode });
      expect(result.phases[0]?.steps[0]).toMatchObject({ status: 'ok', changes: [] });
      expect(counting.calls).toEqual({ run: 1 });
    }
  });

  test('plan mode lists a missing package as an install and installs nothing', async () => {
    expect(NOT_INSTALLED).toBeDefined();
    const missing = NOT_INSTALLED!;
    const result = await runPlan(plan(['openssh-server', missing]), { executor, mode: 'plan' });
    expect(result.phases[0]?.steps[0]).toMatchObject({
      status: 'changed',
      changes: [{ action: 'create', target: `package ${missing}`, summary: `install ${missing}` }],
    });
    expect(installed(missing)).toBe(false);
  });

  test('apply runs apt-get install for the missing packages only, and fails with apt’s message', async () => {
    const unknown = 'fleet-no-such-package-4f1c';
    const result = await runPlan(plan(['openssh-server', unknown]), { executor, mode: 'apply' });
    const step = result.phases[0]?.steps[0];
    expect(step).toMatchObject({ status: 'failed', changes: [{ target: `package ${unknown}` }] });
    expect(step?.error).toContain(`apt-get install -y --no-install-recommends ${unknown} exited with 100`);
    expect(step?.output).toContain(`Unable to locate package ${unknown}`);
  });

  test('invalid names and an empty list are plan errors', () => {
    expect(() => packagesStep({ packages: [] })).toThrow(/at least one/);
    expect(() => packagesStep({ packages: ['ok', 'Bad;rm'] })).toThrow(/invalid Debian package names: Bad;rm/);
  });
});
