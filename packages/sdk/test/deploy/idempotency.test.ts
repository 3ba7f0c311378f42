import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LocalExecutor } from '../../src/deploy/local-executor.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import type { Step } from '../../src/deploy/step.ts';
import { assertStep } from '../../src/deploy/steps/assert.ts';
import { commandStep } from '../../src/deploy/steps/command.ts';
import { directoryStep } from '../../src/deploy/steps/directory.ts';
import { fileStep } from '../../src/deploy/steps/file.ts';
import { symlinkStep } from '../../src/deploy/steps/symlink.ts';
import { snapshot, tempHost } from './_host.ts';

const OTHER_UID = 4242;

async function applyTwice(host: LocalExecutor, steps: Step[]) {
  const plan: Plan = { phases: [{ name: 'only', steps }] };
  const first = await runPlan(plan, { executor: host, mode: 'apply' });
  const after = snapshot(host.root);
  const second = await runPlan(plan, { executor: host, mode: 'apply' });
  return { first, second, unchanged: snapshot(host.root), after };
}

describe('a second apply of the same plan on an unchanged host changes nothing', () => {
  test('command with creates', async () => {
    const host = tempHost();
    const { first, second, after, unchanged } = await applyTwice(host, [
      commandStep({ command: `echo built >> ${host.root}/built`, creates: '/built' }),
    ]);
    expect(first.counts).toMatchObject({ changed: 1, failed: 0 });
    expect(second.counts).toMatchObject({ ok: 1, changed: 0, failed: 0, mayChange: 0 });
    expect(readFileSync(join(host.root, 'built'), 'utf8')).toBe('built\n');
    expect(unchanged).toEqual(after);
  });

  test('command with unless', async () => {
    const host = tempHost();
    const { first, second } = await applyTwice(host, [
      commandStep({ command: `echo x >> ${host.root}/log`, unless: `grep -q x ${host.root}/log` }),
    ]);
    expect(first.counts.changed).toBe(1);
    expect(second.counts).toMatchObject({ ok: 1, changed: 0 });
    expect(readFileSync(join(host.root, 'log'), 'utf8')).toBe('x\n');
  });

  test('file from a template, with owner, group and mode', async () => {
    const host = tempHost();
    const { first, second, after, unchanged } = await applyTwice(host, [
      fileStep({
        path: '/app.env',
        template: 'PORT={{ port }}\nHOST={{ bus.host }}\n',
        vars: { port: 8650, bus: { host: '10.0.0.5' } },
        owner: OTHER_UID,
        group: OTHER_UID,
        mode: '0640',
      }),
      fileStep({ path: '/literal.txt', content: 'hello\n' }),
    ]);
    expect(first.counts).toMatchObject({ changed: 2, failed: 0 });
    expect(readFileSync(join(host.root, 'app.env'), 'utf8')).toBe('PORT=8650\nHOST=10.0.0.5\n');
    expect(second.counts).toMatchObject({ ok: 2, changed: 0 });
    expect(unchanged).toEqual(after);
  });

  test('file whose owner and mode drifted: only those are fixed, the content is not rewritten', async () => {
    const host = tempHost();
    const step = fileStep({ path: '/a.conf', content: 'a\n', mode: 0o600, owner: OTHER_UID });
    await runPlan({ phases: [{ name: 'p', steps: [step] }] }, { executor: host, mode: 'apply' });
    await host.setAttributes('/a.conf', { mode: 0o644, owner: 0 });
    const inode = (await host.run(['stat', '-c', '%i', join(host.root, 'a.conf')])).stdout;
    const fix = await runPlan({ phases: [{ name: 'p', steps: [step] }] }, { executor: host, mode: 'apply' });
    expect(fix.phases[0]!.steps[0]!.changes.map((change) => change.summary)).toEqual([
      `owner root -> ${OTHER_UID}`,
      'mode 0644 -> 0600',
    ]);
    expect((await host.run(['stat', '-c', '%i %a %u', join(host.root, 'a.conf')])).stdout).toBe(
      `${inode.trim()} 600 ${OTHER_UID}\n`,
    );
  });

  test('file whose content changed behind its back is rewritten once', async () => {
    const host = tempHost();
    const plan: Plan = { phases: [{ name: 'p', steps: [fileStep({ path: '/a.conf', content: 'a\n' })] }] };
    await runPlan(plan, { executor: host, mode: 'apply' });
    writeFileSync(join(host.root, 'a.conf'), 'edited by hand\n');
    expect((await runPlan(plan, { executor: host, mode: 'apply' })).counts.changed).toBe(1);
    expect((await runPlan(plan, { executor: host, mode: 'apply' })).counts.changed).toBe(0);
  });

  test('directory with owner and mode, and missing parents', async () => {
    const host = tempHost();
    const { first, second, after, unchanged } = await applyTwice(host, [
      directoryStep({ path: '/var/lib/fleet', owner: OTHER_UID, group: OTHER_UID, mode: 0o750 }),
    ]);
    expect(first.counts.changed).toBe(1);
    expect(after['/var/lib/fleet']).toMatch(new RegExp(`^dir 750 ${OTHER_UID}:${OTHER_UID} `));
    expect(second.counts).toMatchObject({ ok: 1, changed: 0 });
    expect(unchanged).toEqual(after);
  });

  test('symlink, and repointing it', async () => {
    const host = tempHost();
    const { first, second } = await applyTwice(host, [symlinkStep({ path: '/current', target: '/releases/1' })]);
    expect(first.counts.changed).toBe(1);
    expect(second.counts).toMatchObject({ ok: 1, changed: 0 });
    const { first: swap, second: again } = await applyTwice(host, [
      symlinkStep({ path: '/current', target: '/releases/2' }),
    ]);
    expect(swap.phases[0]!.steps[0]!.changes[0]!.summary).toBe('target /releases/1 -> /releases/2');
    expect(again.counts.changed).toBe(0);
  });

  test('assert never changes anything', async () => {
    const host = tempHost();
    writeFileSync(join(host.root, 'os-release'), 'ID=debian\n');
    const { first, second } = await applyTwice(host, [
      assertStep({ path: '/os-release', contains: 'ID=debian', message: 'Debian is required' }),
      assertStep({ command: ['true'], message: 'true is true' }),
    ]);
    expect(first.counts).toMatchObject({ ok: 2, changed: 0, failed: 0 });
    expect(second.counts).toMatchObject({ ok: 2, changed: 0, failed: 0 });
  });
});
