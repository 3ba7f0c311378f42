import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { DeployEvent } from '../../src/deploy/deploy-event.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { assertStep } from '../../src/deploy/steps/assert.ts';
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

test('a secret with $ and % is redacted in the escaped forms a unit file gives it', async () => {
  const host = tempHost();
  const secret = 'pa$s%20"w-7e1b';
  // A command line doubles `$` and `%`, Environment= only `%`; both escape `"` inside quotes.
  const unit = 'ExecStart=/usr/bin/agent "--key=pa$$s%%20\\"w-7e1b"\nEnvironment="KEY=pa$s%%20\\"w-7e1b"\n';
  const plan: Plan = {
    phases: [
      { name: 'unit', steps: [fileStep({ path: '/agent.service', content: unit, mode: '0644', secrets: [secret] })] },
    ],
  };
  const result = await runPlan(plan, { executor: host, mode: 'plan' });
  const text = JSON.stringify(result);
  expect(text).not.toContain('7e1b');
  expect(text).toContain('+ExecStart=/usr/bin/agent \\"--key=***\\"');
  expect(text).toContain('+Environment=\\"KEY=***\\"');
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

const PEM = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  'QyNTUxOQAAACDe0hq4pYcy5t7G8e8NFRZ3L0GJmTn2Xv9zBMg0cQ0sEQAAAJgA1d6LANXe',
  '',
  'Zm9vYg=',
  '-----END OPENSSH PRIVATE KEY-----',
  '',
].join('\n');

test('every line of a multi-line secret is *** in file diffs, results and events; the other lines stay', async () => {
  const host = tempHost();
  writeFileSync(join(host.root, 'sshd.conf'), '# managed by fleet\nPort 22\n');
  const plan: Plan = {
    phases: [
      {
        name: 'keys',
        steps: [
          fileStep({ path: '/id_ed25519', content: PEM, mode: '0600', secrets: [PEM] }),
          fileStep({ path: '/sshd.conf', content: `# managed by fleet\n${PEM}Port 2222\n`, secrets: [PEM] }),
        ],
      },
    ],
  };
  const everything: unknown[] = [];
  for (const mode of ['plan', 'apply'] as const) {
    const events: DeployEvent[] = [];
    const result = await runPlan(plan, { executor: host, mode, onEvent: (event) => events.push(event) });
    everything.push(result, events);
  }
  expect(readFileSync(join(host.root, 'id_ed25519'), 'utf8')).toBe(PEM);
  const text = JSON.stringify(everything);
  for (const line of PEM.split('\n').filter((line) => line.length >= 8)) expect(text).not.toContain(line);
  expect(text).not.toContain('OPENSSH PRIVATE KEY');
  // A short line (the end of the base64) is *** where it stands as a whole line.
  expect(text).not.toContain('Zm9vYg=');
  const [created, updated] = (everything[0] as { phases: { steps: { changes: { diff?: string }[] }[] }[] }).phases[0]!
    .steps;
  expect(created!.changes[0]!.diff).toContain('+***\n+***\n+***\n+\n+***\n+***\n');
  expect(updated!.changes[0]!.diff).toContain(
    ' # managed by fleet\n-Port 22\n+***\n+***\n+***\n+\n+***\n+***\n+Port 2222\n',
  );
});

// Every 4-character piece holds a letter: the run's JSON is full of digits (times, durations), and
// a piece of digits alone (the old token ended in 3210) turned up there by chance.
const TOKEN = 'tok_LIVE_9f8e7d6c5b4a3b2c';

/** Every piece of at least `min` characters of `secret` found in `text`. */
function piecesOf(secret: string, text: string, min = 4): string[] {
  const found = new Set<string>();
  for (let start = 0; start < secret.length; start++) {
    for (let end = start + min; end <= secret.length; end++) {
      const piece = secret.slice(start, end);
      if (text.includes(piece)) found.add(piece);
    }
  }
  return [...found];
}

test('an output tail the executor cut inside a secret keeps no piece of its end', async () => {
  // Cut at every point of the token: the kept tail starts inside it, then at its start.
  const line = `xxxxxxxxxxxxxxxxxxxx Authorization: ${TOKEN} status=500\n`;
  const outputs: string[] = [];
  for (let maxOutputBytes = 13; maxOutputBytes <= 13 + TOKEN.length; maxOutputBytes++) {
    const events: DeployEvent[] = [];
    const result = await runPlan(
      {
        phases: [
          {
            name: 'p',
            steps: [commandStep({ command: 'printf "%s" "$LINE"; exit 1', env: { LINE: line }, secrets: [TOKEN] })],
          },
        ],
      },
      { executor: tempHost({ maxOutputBytes }), mode: 'apply', onEvent: (event) => events.push(event) },
    );
    const step = result.phases[0]!.steps[0]!;
    expect(step.output).toContain('bytes before this dropped]');
    expect(step.output).toContain(' status=500');
    outputs.push(JSON.stringify([result, events]));
  }
  expect(piecesOf(TOKEN, outputs.join('\n'))).toEqual([]);
});

test("an assertion's message cut inside a secret keeps no piece of its end", async () => {
  const host = tempHost();
  for (let after = 501 - TOKEN.length; after < 500; after++) {
    const result = await runPlan(
      {
        phases: [
          {
            name: 'p',
            steps: [
              assertStep({
                command: `printf '%s' '${TOKEN}'; printf 'y%.0s' $(seq ${after}); exit 1`,
                message: 'the service answers',
                secrets: [TOKEN],
              }),
            ],
          },
        ],
      },
      { executor: host, mode: 'plan' },
    );
    const error = result.phases[0]!.steps[0]!.error ?? '';
    expect(error).toContain('exited with 1: […]');
    expect(piecesOf(TOKEN, error)).toEqual([]);
  }
});
