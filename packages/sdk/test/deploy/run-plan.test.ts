import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DeployEvent } from '../../src/deploy/deploy-event.ts';
import { HostResult } from '../../src/deploy/host-result.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { assertStep } from '../../src/deploy/steps/assert.ts';
import { commandStep } from '../../src/deploy/steps/command.ts';
import { directoryStep } from '../../src/deploy/steps/directory.ts';
import { fileStep } from '../../src/deploy/steps/file.ts';
import { symlinkStep } from '../../src/deploy/steps/symlink.ts';
import { renderTemplate } from '../../src/deploy/template.ts';
import { CountingExecutor, tempHost } from './_host.ts';

describe('command guards', () => {
  const cases = [
    ['no guard: may change, runs', {}, 'changed', true, true],
    ['creates, path missing: runs', { creates: '/missing' }, 'changed', false, true],
    ['creates, path present: skips', { creates: '/present' }, 'ok', false, false],
    ['unless exits 0: skips', { unless: 'true' }, 'ok', false, false],
    ['unless exits 1: runs', { unless: ['false'] }, 'changed', false, true],
    ['onlyIf exits 0: runs', { onlyIf: 'true' }, 'changed', false, true],
    ['onlyIf exits 1: skips', { onlyIf: 'exit 1' }, 'ok', false, false],
    ['creates present wins over onlyIf', { creates: '/present', onlyIf: 'true' }, 'ok', false, false],
  ] as const;
  for (const [name, guards, status, mayChange, ran] of cases) {
    test(name, async () => {
      const host = tempHost();
      writeFileSync(join(host.root, 'present'), '');
      const step = commandStep({ command: `touch ${host.root}/ran`, ...guards });
      const plan: Plan = { phases: [{ name: 'p', steps: [step] }] };
      const planned = await runPlan(plan, { executor: host, mode: 'plan' });
      expect(planned.phases[0]!.steps[0]).toMatchObject({ status, mayChange });
      expect(existsSync(join(host.root, 'ran'))).toBe(false);
      const applied = await runPlan(plan, { executor: host, mode: 'apply' });
      expect(applied.phases[0]!.steps[0]!.status).toBe(status);
      expect(existsSync(join(host.root, 'ran'))).toBe(ran);
    });
  }

  test('a command past its timeout fails the step with its output', async () => {
    const host = tempHost({ killGraceMs: 100 });
    const plan: Plan = {
      phases: [{ name: 'p', steps: [commandStep({ command: 'echo started; sleep 30', timeoutMs: 200 })] }],
    };
    const result = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(result.phases[0]!.steps[0]).toMatchObject({
      status: 'failed',
      error: 'Command timed out after 200 ms: echo started; sleep 30',
      output: 'started\n',
    });
  });
});

describe('a command that exits 0 on SIGTERM', () => {
  const TRAPS_TERM = `trap 'exit 0' TERM; echo started; sleep 30 & wait`;

  test('past its timeout still fails the step: the run has no exit code', async () => {
    const host = tempHost({ killGraceMs: 100 });
    const plan: Plan = { phases: [{ name: 'p', steps: [commandStep({ command: TRAPS_TERM, timeoutMs: 200 })] }] };
    const result = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(result.status).toBe('failed');
    expect(result.phases[0]!.steps[0]).toMatchObject({
      status: 'failed',
      error: `Command timed out after 200 ms: ${TRAPS_TERM}`,
      output: 'started\n',
    });
    // As an SshExecutor reports it: no exit code, and the signal that stopped it.
    const run = await host.run(TRAPS_TERM, { timeoutMs: 200 });
    expect(run).toMatchObject({ exitCode: null, signal: 'SIGTERM', timedOut: true });
  });

  test('aborted while it runs still fails the step', async () => {
    const host = tempHost({ killGraceMs: 100 });
    const marker = join(host.root, 'running');
    const command = `trap 'exit 0' TERM; touch ${marker}; sleep 30 & wait`;
    const controller = new AbortController();
    const plan: Plan = { phases: [{ name: 'p', steps: [commandStep({ command })] }] };
    const running = runPlan(plan, { executor: host, mode: 'apply', signal: controller.signal });
    while (!existsSync(marker)) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const result = await running;
    expect(result.aborted).toBe(true);
    expect(result.phases[0]!.steps[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Command /) });
  });

  test.each(['plan', 'apply'] as const)(
    'aborted while a read-only check runs (%s): the step is skipped as aborted, not failed as timed out',
    async (mode) => {
      const host = tempHost({ killGraceMs: 100 });
      const marker = join(host.root, 'checking');
      const controller = new AbortController();
      const check = assertStep({ command: `touch ${marker}; sleep 30`, message: 'the host is ready' });
      const plan: Plan = { phases: [{ name: 'preflight', steps: [check, directoryStep({ path: '/d' })] }] };
      const running = runPlan(plan, { executor: host, mode, signal: controller.signal });
      while (!existsSync(marker)) await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort();
      const result = await running;
      expect(result).toMatchObject({ aborted: true });
      expect(result.status).not.toBe('failed');
      expect(result.phases[0]!.steps.map((step) => [step.status, step.reason, step.error])).toEqual([
        ['skipped', 'the run was aborted', undefined],
        ['skipped', 'the run was aborted', undefined],
      ]);
    },
  );
});

describe('templates', () => {
  test('an undefined variable is an error naming every one, with its line', () => {
    expect(() => renderTemplate('a={{ a }}\nb={{ b }}\nc={{ svc.port }}\n', { a: 1, svc: {} }, '/etc/x.conf')).toThrow(
      'Template variables: "b" is not defined (/etc/x.conf line 2); "svc.port" is not defined (/etc/x.conf line 3)',
    );
    expect(renderTemplate('{{a}} {{ b.c }} {{ d }}', { a: 'x', b: { c: 2 }, d: false })).toBe('x 2 false');
  });

  test('a file step with an undefined variable fails its check, in plan and apply, and writes nothing', async () => {
    const host = tempHost();
    const plan: Plan = {
      phases: [{ name: 'p', steps: [fileStep({ path: '/x.conf', template: 'port={{ prot }}\n', vars: { port: 1 } })] }],
    };
    for (const mode of ['plan', 'apply'] as const) {
      const result = await runPlan(plan, { executor: host, mode });
      expect(result.phases[0]!.steps[0]).toMatchObject({
        status: 'failed',
        error: 'Template variables: "prot" is not defined (/x.conf line 1)',
      });
    }
    expect(existsSync(join(host.root, 'x.conf'))).toBe(false);
  });
});

describe('runPlan', () => {
  test('a phase that changes nothing costs one probe, and no other call', async () => {
    const host = new CountingExecutor(tempHost());
    const plan: Plan = {
      phases: [
        {
          name: 'p',
          steps: [
            directoryStep({ path: '/etc/app' }),
            fileStep({ path: '/etc/app/a.conf', content: 'a' }),
            fileStep({ path: '/etc/app/b.conf', content: 'b' }),
            symlinkStep({ path: '/current', target: '/etc/app' }),
            commandStep({ command: 'true', creates: '/etc/app/a.conf' }),
            assertStep({ path: '/etc/app/b.conf', contains: 'b', message: 'b is b' }),
          ],
        },
      ],
    };
    await runPlan(plan, { executor: host, mode: 'apply' });
    host.calls.probe = 0;
    const { counts } = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(counts.changed).toBe(0);
    expect(host.calls).toMatchObject({ probe: 1 });
  });

  test('an earlier step changing the host is seen by later checks in the same phase', async () => {
    const host = tempHost();
    const plan: Plan = {
      phases: [
        {
          name: 'p',
          steps: [
            commandStep({ command: `echo made > ${host.root}/made`, creates: '/made' }),
            assertStep({ path: '/made', contains: 'made', message: 'the command made it' }),
          ],
        },
      ],
    };
    const result = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(result.phases[0]!.steps.map((step) => step.status)).toEqual(['changed', 'ok']);
  });

  test('a failure in apply mode skips the later steps and phases, and says why', async () => {
    const host = tempHost();
    const plan: Plan = {
      phases: [
        { name: 'one', steps: [assertStep({ path: '/etc/os-release', message: 'Not a Linux host' })] },
        { name: 'two', steps: [directoryStep({ path: '/d' })] },
      ],
    };
    const result = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(result.status).toBe('failed');
    expect(result.phases[0]!.steps[0]!.error).toBe('Not a Linux host (/etc/os-release: it does not exist)');
    expect(result.phases[1]).toMatchObject({
      status: 'skipped',
      steps: [{ status: 'skipped', reason: 'phase "one" failed' }],
    });
    expect(existsSync(join(host.root, 'd'))).toBe(false);
  });

  test('an abort stops between steps; the rest is reported skipped, not dropped', async () => {
    const host = tempHost();
    const controller = new AbortController();
    const plan: Plan = {
      phases: [
        {
          name: 'one',
          steps: [directoryStep({ path: '/a', notify: 'mark' }), directoryStep({ path: '/b' })],
        },
        { name: 'two', steps: [directoryStep({ path: '/c' })] },
      ],
      handlers: { mark: commandStep({ command: `touch ${host.root}/handled` }) },
    };
    const result = await runPlan(plan, {
      executor: host,
      mode: 'apply',
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'step_finished' && event.result.step === 'directory /a') controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.phases.flatMap((phase) => phase.steps).map((step) => [step.step, step.status, step.reason])).toEqual([
      ['directory /a', 'changed', undefined],
      ['directory /b', 'skipped', 'the run was aborted'],
      ['directory /c', 'skipped', 'the run was aborted'],
    ]);
    expect(existsSync(join(host.root, 'b'))).toBe(false);
    // The handler /a queued still ran.
    expect(existsSync(join(host.root, 'handled'))).toBe(true);
  });

  test('results and every event match their schemas, and a throwing listener does not stop the run', async () => {
    const host = tempHost();
    const events: unknown[] = [];
    const plan: Plan = {
      phases: [
        { name: 'p', steps: [fileStep({ path: '/f', content: 'f', notify: 'h' }), commandStep({ command: 'true' })] },
      ],
      handlers: { h: commandStep({ command: 'echo handled' }) },
    };
    const result = await runPlan(plan, {
      executor: host,
      mode: 'apply',
      onEvent: (event) => {
        events.push(event);
        throw new Error('broken display');
      },
    });
    expect(HostResult.parse(result)).toEqual(result);
    for (const event of events) expect(DeployEvent.parse(event)).toEqual(event);
    expect(new Set(events.map((event) => (event as DeployEvent).type))).toEqual(
      new Set([
        'host_started',
        'phase_started',
        'step_started',
        'step_finished',
        'handler_finished',
        'phase_finished',
        'host_finished',
      ]),
    );
    expect(readFileSync(join(host.root, 'f'), 'utf8')).toBe('f');
    expect(result.counts).toEqual({ ok: 0, changed: 3, failed: 0, skipped: 0, mayChange: 2 });
  });

  test('a plan with duplicate names is refused with every problem', async () => {
    const host = tempHost();
    const plan: Plan = {
      phases: [
        { name: 'p', steps: [directoryStep({ path: '/a' }), directoryStep({ path: '/a' })] },
        { name: 'p', steps: [] },
      ],
    };
    await expect(runPlan(plan, { executor: host, mode: 'plan' })).rejects.toThrow(
      'Invalid plan: Phase "p" has two steps named "directory /a"; Phase "p" appears twice',
    );
  });
});
