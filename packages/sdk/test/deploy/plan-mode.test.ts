import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LocalExecutor } from '../../src/deploy/local-executor.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { commandStep } from '../../src/deploy/steps/command.ts';
import { directoryStep } from '../../src/deploy/steps/directory.ts';
import { fileStep } from '../../src/deploy/steps/file.ts';
import { symlinkStep } from '../../src/deploy/steps/symlink.ts';
import { snapshot, tempHost } from './_host.ts';

function sitePlan(host: LocalExecutor): Plan {
  return {
    phases: [
      {
        name: 'baseline',
        steps: [
          directoryStep({ path: '/etc/app', mode: 0o755 }),
          fileStep({ path: '/etc/app/app.conf', content: 'port=2\nname=app\n', mode: 0o640, notify: 'restart' }),
          symlinkStep({ path: '/etc/app/current', target: '/releases/2' }),
        ],
      },
      {
        name: 'build',
        steps: [
          commandStep({ name: 'guarded', command: `touch ${host.root}/built`, creates: '/built' }),
          commandStep({ name: 'unguarded', command: `touch ${host.root}/ran` }),
        ],
      },
    ],
    handlers: { restart: commandStep({ command: `touch ${host.root}/restarted` }) },
  };
}

describe('plan mode', () => {
  test('on a fresh host: reports every change, diffs for files, marks what it cannot know, changes nothing', async () => {
    const host = tempHost();
    const before = snapshot(host.root);
    const result = await runPlan(sitePlan(host), { executor: host, mode: 'plan' });
    expect(snapshot(host.root)).toEqual(before);
    const steps = result.phases.flatMap((phase) => phase.steps);
    expect(steps.map((step) => [step.step, step.status, step.mayChange, step.changes.map((c) => c.summary)])).toEqual([
      ['directory /etc/app', 'changed', false, ['create (mode 0755)']],
      ['file /etc/app/app.conf', 'changed', false, ['create (mode 0640)']],
      ['symlink /etc/app/current', 'changed', false, ['create -> /releases/2']],
      ['guarded', 'changed', false, [`run touch ${host.root}/built`]],
      ['unguarded', 'changed', true, []],
    ]);
    expect(steps[1]!.changes[0]!.diff).toContain('+++ /etc/app/app.conf');
    expect(steps[1]!.changes[0]!.diff).toContain('+port=2');
    expect(result.phases[0]!.handlers).toMatchObject([{ handler: 'restart', status: 'changed', mayChange: true }]);
    expect(result.counts).toEqual({ ok: 0, changed: 6, failed: 0, skipped: 0, mayChange: 2 });
  });

  test('on a drifted host: unified diff of the content, attribute changes, nothing changed', async () => {
    const host = tempHost();
    mkdirSync(join(host.root, 'etc/app'), { recursive: true, mode: 0o700 });
    writeFileSync(join(host.root, 'etc/app/app.conf'), 'port=1\nname=app\n', { mode: 0o644 });
    writeFileSync(join(host.root, 'built'), '');
    const before = snapshot(host.root);
    const result = await runPlan(sitePlan(host), { executor: host, mode: 'plan' });
    expect(snapshot(host.root)).toEqual(before);
    const [directory, file] = result.phases[0]!.steps;
    expect(directory!.changes.map((change) => change.summary)).toEqual(['mode 0700 -> 0755']);
    expect(file!.changes.map((change) => change.summary)).toEqual(['content', 'mode 0644 -> 0640']);
    expect(file!.changes[0]!.diff).toMatch(/-port=1\n\+port=2\n name=app/);
    expect(result.phases[1]!.steps[0]).toMatchObject({ step: 'guarded', status: 'ok', changes: [] });
  });

  test('after an apply, a plan finds nothing to do but what it cannot know', async () => {
    const host = tempHost();
    const plan = sitePlan(host);
    await runPlan(plan, { executor: host, mode: 'apply' });
    const before = snapshot(host.root);
    const result = await runPlan(plan, { executor: host, mode: 'plan' });
    expect(snapshot(host.root)).toEqual(before);
    expect(result.counts).toEqual({ ok: 4, changed: 1, failed: 0, skipped: 0, mayChange: 1 });
    expect(result.phases[1]!.steps[1]).toMatchObject({ step: 'unguarded', status: 'changed', mayChange: true });
  });

  test('a failing check does not hide the rest of the plan', async () => {
    const host = tempHost();
    mkdirSync(join(host.root, 'conf'));
    const result = await runPlan(
      {
        phases: [
          { name: 'one', steps: [fileStep({ path: '/conf', content: 'x' }), fileStep({ path: '/b', content: 'b' })] },
          { name: 'two', steps: [directoryStep({ path: '/d' })] },
        ],
      },
      { executor: host, mode: 'plan' },
    );
    expect(result.phases.flatMap((phase) => phase.steps).map((step) => step.status)).toEqual([
      'failed',
      'changed',
      'changed',
    ]);
    expect(result.phases[0]!.steps[0]!.error).toBe('/conf is a directory, not a file: refusing to replace it');
  });
});
