import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { DeployEvent } from '../../src/deploy/deploy-event.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { commandStep } from '../../src/deploy/steps/command.ts';
import { fileStep } from '../../src/deploy/steps/file.ts';
import { tempHost } from './_host.ts';

const SECRET = 'sk-planted-4c1d9e7b';
const PLAN_SECRET = 'plan-level-b7e2';

test('a planted secret never appears in results, diffs, errors, output or events', async () => {
  const host = tempHost();
  writeFileSync(join(host.root, 'app.env'), `TOKEN=old-${SECRET}\n`);
  const plan: Plan = {
    secrets: [PLAN_SECRET],
    phases: [
      {
        name: 'secrets',
        steps: [
          fileStep({
            path: '/app.env',
            template: 'TOKEN={{ token }}\nOTHER={{ other }}\n',
            vars: { token: SECRET, other: PLAN_SECRET },
            mode: '0600',
            secrets: [SECRET],
            notify: 'echo it',
          }),
          commandStep({
            name: `print ${SECRET}`,
            command: 'echo "the token is $TOKEN"; echo "$TOKEN" >&2',
            env: { TOKEN: SECRET },
            secrets: [SECRET],
          }),
          commandStep({ command: `echo ${SECRET}; exit 1`, creates: '/nope', secrets: [SECRET] }),
        ],
      },
    ],
    handlers: { 'echo it': commandStep({ command: `echo handler saw ${SECRET} and ${PLAN_SECRET}` }) },
  };
  const everything: unknown[] = [];
  for (const mode of ['plan', 'apply'] as const) {
    const events: DeployEvent[] = [];
    const result = await runPlan(plan, { executor: host, mode, onEvent: (event) => events.push(event) });
    everything.push(result, events);
  }
  // The secrets did reach the host and the commands.
  expect(readFileSync(join(host.root, 'app.env'), 'utf8')).toBe(`TOKEN=${SECRET}\nOTHER=${PLAN_SECRET}\n`);
  const text = JSON.stringify(everything);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(PLAN_SECRET);
  expect(text).not.toContain('4c1d9e7b');
  // ...and the places they would have been say *** instead.
  expect(text).toContain('-TOKEN=old-***');
  expect(text).toContain('the token is ***');
  expect(text).toContain('handler saw *** and ***');
  expect(text).toContain('print ***');
});

test('a secret with quotes and backslashes is redacted in the escaped form it takes in a file', async () => {
  const host = tempHost();
  const quoted = `pa"ss\\word'-9f3a`;
  // Written as a systemd environment file and a shell word write them: escaped, not as they are.
  const envLine = `TOKEN="${quoted.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"\n`;
  const shellLine = `token='${quoted.replaceAll("'", "'\\''")}'\n`;
  const plan: Plan = {
    phases: [
      {
        name: 'quoted',
        steps: [fileStep({ path: '/app.env', content: envLine + shellLine, mode: '0600', secrets: [quoted] })],
      },
    ],
  };
  const result = await runPlan(plan, { executor: host, mode: 'plan' });
  const text = JSON.stringify(result);
  expect(text).not.toContain('9f3a');
  expect(text).toContain('+TOKEN=\\"***\\"');
  expect(text).toContain("+token='***'");
});

test('diff: false leaves the diff out of a file change', async () => {
  const host = tempHost();
  const plan: Plan = {
    phases: [{ name: 'p', steps: [fileStep({ path: '/key', content: 'private\n', diff: false, mode: 0o600 })] }],
  };
  const result = await runPlan(plan, { executor: host, mode: 'plan' });
  expect(result.phases[0]!.steps[0]!.changes).toEqual([
    { action: 'create', target: '/key', summary: 'create (mode 0600)' },
  ]);
});
