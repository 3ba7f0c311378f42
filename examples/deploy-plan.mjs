// Deploying from a script with @fleet/sdk/deploy: a plan of phases and steps, previewed in plan
// mode, applied, then applied again (nothing to change). It runs on this machine, under a
// throwaway directory that stands in for the host's `/`.
//
//   node examples/deploy-plan.mjs            # prints the preview, then each run's counts
//   DEPLOY_ROOT=/tmp/site node examples/deploy-plan.mjs   # kept afterwards, to look at
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandStep, directoryStep, fileStep, LocalExecutor, runPlan } from '@fleet/sdk/deploy';

const root = process.env.DEPLOY_ROOT ?? mkdtempSync(join(tmpdir(), 'fleet-deploy-example-'));
const token = process.env.FLEET_BUS_TOKEN ?? 'example-secret-token';

const plan = {
  phases: [
    {
      name: 'config',
      steps: [
        directoryStep({ path: '/etc/fleet', mode: 0o755 }),
        fileStep({
          name: 'bus environment',
          path: '/etc/fleet/bus.env',
          template: 'FLEET_BUS_DB={{ db }}\nFLEET_BUS_TOKENS={{ token }}\n',
          vars: { db: '/var/lib/fleet/bus/fleet-bus.db', token },
          mode: 0o600,
          secrets: [token],
          notify: 'restart bus',
        }),
      ],
    },
  ],
  // Runs once at the end of the phase when a step that notifies it changed something.
  handlers: { 'restart bus': commandStep({ command: ['true'] }) },
};

/** Prints each step or handler of `result` that failed, with its error; returns how many did. */
function reportFailures(run, result) {
  for (const phase of result.phases) {
    for (const item of [...phase.steps, ...phase.handlers]) {
      if (item.status === 'failed') console.error(`${run}: ${item.step ?? item.handler} failed: ${item.error}`);
    }
  }
  return result.counts.failed;
}

const executor = new LocalExecutor({ root });
try {
  const preview = await runPlan(plan, { executor, mode: 'plan' });
  for (const phase of preview.phases) {
    for (const step of phase.steps) {
      console.log(`${step.status.padEnd(8)} ${step.step}`);
      for (const change of step.changes)
        console.log(`         ${change.summary}${change.diff ? `\n${change.diff}` : ''}`);
    }
  }
  const first = await runPlan(plan, { executor, mode: 'apply' });
  console.log('first apply:', first.counts);
  const second = await runPlan(plan, { executor, mode: 'apply' });
  console.log('second apply:', second.counts);
  if (reportFailures('first apply', first) + reportFailures('second apply', second) > 0) process.exitCode = 1;
} finally {
  await executor.close();
  // The throwaway root goes; a DEPLOY_ROOT you gave stays.
  if (process.env.DEPLOY_ROOT === undefined) rmSync(root, { recursive: true, force: true });
}
