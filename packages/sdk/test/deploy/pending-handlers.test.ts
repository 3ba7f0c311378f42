import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LocalExecutor } from '../../src/deploy/local-executor.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { commandStep } from '../../src/deploy/steps/command.ts';
import { fileStep } from '../../src/deploy/steps/file.ts';
import { tempHost } from './_host.ts';

const PENDING = '/var/lib/app/pending-handlers';

function restarts(host: LocalExecutor): string[] {
  const log = join(host.root, 'restarts.log');
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
}

/** Two phases: `config` writes /app.conf, `service` writes /app.unit; both notify `restart app`. */
function planFor(host: LocalExecutor, config: string, restart = `echo restart >> ${host.root}/restarts.log`): Plan {
  return {
    phases: [
      { name: 'config', steps: [fileStep({ path: '/app.conf', content: config, notify: 'restart app' })] },
      { name: 'service', steps: [fileStep({ path: '/app.unit', content: 'unit', notify: 'restart app' })] },
    ],
    handlers: { 'restart app': commandStep({ command: restart }) },
    pendingHandlers: PENDING,
  };
}

/** A host whose /app.unit is already what the plans write: only /app.conf changes. */
function hostWithUnit(): LocalExecutor {
  const host = tempHost();
  writeFileSync(join(host.root, 'app.unit'), 'unit');
  return host;
}

const records = (host: LocalExecutor) => {
  const dir = join(host.root, PENDING);
  return existsSync(dir) ? readdirSync(dir) : [];
};

describe('handlers recorded on the host (plan.pendingHandlers)', () => {
  test('a handler that failed is run by the next run, which finds nothing else to change, then never again', async () => {
    const host = hostWithUnit();
    const failing = await runPlan(planFor(host, 'v1', 'exit 3'), { executor: host, mode: 'apply' });
    expect(failing.phases[0]!.handlers).toMatchObject([{ handler: 'restart app', status: 'failed' }]);
    expect(records(host)).toHaveLength(1);

    const next = await runPlan(planFor(host, 'v1'), { executor: host, mode: 'apply' });
    expect(next.phases.map((phase) => phase.steps.map((step) => step.status))).toEqual([['ok'], ['ok']]);
    // At the end of the last phase whose steps notify it, once.
    expect(next.phases[0]!.handlers).toEqual([]);
    expect(next.phases[1]!.handlers).toMatchObject([
      { handler: 'restart app', status: 'changed', notifiedBy: ['file /app.conf (an earlier run)'] },
    ]);
    expect(restarts(host)).toEqual(['restart']);
    expect(records(host)).toEqual([]);

    const after = await runPlan(planFor(host, 'v1'), { executor: host, mode: 'apply' });
    expect(after.status).toBe('ok');
    expect(restarts(host)).toEqual(['restart']);
  });

  test('plan mode reports a recorded handler as due and leaves the record', async () => {
    const host = hostWithUnit();
    await runPlan(planFor(host, 'v1', 'exit 3'), { executor: host, mode: 'apply' });
    const plan = await runPlan(planFor(host, 'v1'), { executor: host, mode: 'plan' });
    expect(plan.phases[1]!.handlers).toMatchObject([{ handler: 'restart app', status: 'changed' }]);
    expect(restarts(host)).toEqual([]);
    expect(records(host)).toHaveLength(1);
  });

  test('a plan none of whose steps notify a recorded handler leaves the record for one that does', async () => {
    const host = hostWithUnit();
    await runPlan(planFor(host, 'v1', 'exit 3'), { executor: host, mode: 'apply' });
    const other: Plan = {
      ...planFor(host, 'v1'),
      phases: [{ name: 'other', steps: [fileStep({ path: '/x', content: 'x' })] }],
    };
    const result = await runPlan(other, { executor: host, mode: 'apply' });
    expect(result.phases[0]!.handlers).toEqual([]);
    expect(records(host)).toHaveLength(1);
  });

  test("an earlier run's record does not run the handler twice when this run changed a file that notifies it", async () => {
    const host = hostWithUnit();
    await runPlan(planFor(host, 'v1', 'exit 3'), { executor: host, mode: 'apply' });
    // This run changes /app.conf (phase config); the record is owed to phase service, the last notifying one.
    const next = await runPlan(planFor(host, 'v2'), { executor: host, mode: 'apply' });
    expect(next.phases.map((phase) => phase.handlers.map((handler) => handler.status))).toEqual([['changed'], []]);
    expect(restarts(host)).toEqual(['restart']);
    expect(records(host)).toEqual([]);
    // Plan mode shows it once too.
    await runPlan(planFor(host, 'v3', 'exit 3'), { executor: host, mode: 'apply' });
    const plan = await runPlan(planFor(host, 'v4'), { executor: host, mode: 'plan' });
    expect(plan.phases.map((phase) => phase.handlers.length)).toEqual([1, 0]);
  });

  test('the record keeps no secret of the plan, and only root may read it', async () => {
    const host = hostWithUnit();
    const secret = 'TOPSECRET-5f1c9a';
    const plan: Plan = {
      phases: [
        {
          name: 'config',
          steps: [commandStep({ command: `echo ${secret} > ${host.root}/secret.txt`, notify: 'restart app' })],
        },
      ],
      handlers: { 'restart app': commandStep({ command: 'exit 3' }) },
      pendingHandlers: PENDING,
      secrets: [secret],
    };
    await runPlan(plan, { executor: host, mode: 'apply' });
    const [record] = records(host);
    const path = join(host.root, PENDING, record!);
    expect(readFileSync(path, 'utf8')).not.toContain(secret);
    expect(readFileSync(path, 'utf8')).toContain('***');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test('without pendingHandlers nothing is recorded', async () => {
    const host = hostWithUnit();
    const { pendingHandlers: _, ...plan } = planFor(host, 'v1', 'exit 3');
    await runPlan(plan, { executor: host, mode: 'apply' });
    expect(records(host)).toEqual([]);
    const next = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(next.phases.flatMap((phase) => phase.handlers)).toEqual([]);
  });
});
