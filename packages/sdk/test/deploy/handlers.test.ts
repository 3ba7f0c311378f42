import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { DeployEvent } from '../../src/deploy/deploy-event.ts';
import type { LocalExecutor } from '../../src/deploy/local-executor.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import type { Step } from '../../src/deploy/step.ts';
import { commandStep } from '../../src/deploy/steps/command.ts';
import { fileStep } from '../../src/deploy/steps/file.ts';
import { tempHost } from './_host.ts';

function restarts(host: LocalExecutor): string[] {
  const log = join(host.root, 'restarts.log');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

function planWith(host: LocalExecutor, steps: Step[]): Plan {
  return {
    phases: [{ name: 'config', steps }],
    handlers: {
      'restart app': commandStep({ command: `echo restart >> ${host.root}/restarts.log` }),
      'reload web': commandStep({ command: `echo reload >> ${host.root}/restarts.log` }),
    },
  };
}

describe('handlers', () => {
  test('run once at the end of the phase, however many changed steps notified them', async () => {
    const host = tempHost();
    const events: DeployEvent[] = [];
    const plan = planWith(host, [
      fileStep({ path: '/a.conf', content: 'a', notify: 'restart app' }),
      fileStep({ path: '/b.conf', content: 'b', notify: ['restart app'] }),
      commandStep({ name: 'last step', command: 'true', creates: '/' }),
    ]);
    const result = await runPlan(plan, { executor: host, mode: 'apply', onEvent: (event) => events.push(event) });
    expect(restarts(host)).toEqual(['restart']);
    expect(result.phases[0]!.handlers).toMatchObject([
      { handler: 'restart app', status: 'changed', notifiedBy: ['file /a.conf', 'file /b.conf'] },
    ]);
    const order = events.map((event) =>
      event.type === 'step_finished'
        ? event.result.step
        : event.type === 'handler_finished'
          ? event.result.handler
          : event.type,
    );
    expect(order).toEqual([
      'host_started',
      'phase_started',
      'step_started',
      'file /a.conf',
      'step_started',
      'file /b.conf',
      'step_started',
      'last step',
      'restart app',
      'phase_finished',
      'host_finished',
    ]);
  });

  test('do not run when the notifying steps did not change', async () => {
    const host = tempHost();
    const plan = planWith(host, [fileStep({ path: '/a.conf', content: 'a', notify: 'restart app' })]);
    await runPlan(plan, { executor: host, mode: 'apply' });
    const again = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(restarts(host)).toEqual(['restart']);
    expect(again.phases[0]!.handlers).toEqual([]);
  });

  test('still run when a later step fails, and the failure is reported', async () => {
    const host = tempHost();
    const plan = planWith(host, [
      fileStep({ path: '/a.conf', content: 'a', notify: 'restart app' }),
      commandStep({ name: 'broken', command: 'echo something broke; exit 7', creates: '/never' }),
      fileStep({ path: '/after.conf', content: 'never written' }),
    ]);
    const result = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(restarts(host)).toEqual(['restart']);
    expect(result.status).toBe('failed');
    const [changed, broken, skipped] = result.phases[0]!.steps;
    expect(changed!.status).toBe('changed');
    expect(broken).toMatchObject({ status: 'failed', error: expect.stringContaining('exited with 7') });
    expect(broken!.output).toContain('something broke');
    expect(skipped).toMatchObject({ status: 'skipped', reason: 'step "broken" failed' });
    expect(existsSync(join(host.root, 'after.conf'))).toBe(false);
    expect(result.phases[0]!.handlers).toMatchObject([{ handler: 'restart app', status: 'changed' }]);
  });

  test('run in the order the plan lists them, each only in the phase that notified it', async () => {
    const host = tempHost();
    const plan: Plan = {
      ...planWith(host, []),
      phases: [
        {
          name: 'one',
          steps: [
            fileStep({ path: '/web.conf', content: 'w', notify: 'reload web' }),
            fileStep({ path: '/app.conf', content: 'a', notify: 'restart app' }),
          ],
        },
        { name: 'two', steps: [fileStep({ path: '/app2.conf', content: 'a', notify: 'restart app' })] },
      ],
    };
    const result = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(restarts(host)).toEqual(['restart', 'reload', 'restart']);
    expect(result.phases.map((phase) => phase.handlers.map((handler) => handler.handler))).toEqual([
      ['restart app', 'reload web'],
      ['restart app'],
    ]);
  });

  test('a plan naming an unknown handler is refused before anything runs', async () => {
    const host = tempHost();
    const plan = planWith(host, [fileStep({ path: '/a.conf', content: 'a', notify: 'restart ap' })]);
    await expect(runPlan(plan, { executor: host, mode: 'apply' })).rejects.toThrow(
      'Step "file /a.conf" of phase "config" notifies "restart ap", which is no handler',
    );
    expect(existsSync(join(host.root, 'a.conf'))).toBe(false);
  });
});
