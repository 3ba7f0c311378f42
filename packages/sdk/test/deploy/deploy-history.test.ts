import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { deployRunStatus, summarizeDeployRun } from '../../src/deploy/history/deploy-run.ts';
import { planHash } from '../../src/deploy/history/plan-hash.ts';
import { readDeployHistory } from '../../src/deploy/history/read-deploy-history.ts';
import { recordDeployRun } from '../../src/deploy/history/record-deploy-run.ts';
import type { HostResult } from '../../src/deploy/host-result.ts';
import { LocalExecutor } from '../../src/deploy/local-executor.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { commandStep } from '../../src/deploy/steps/command.ts';
import { fileStep } from '../../src/deploy/steps/file.ts';
import { tempHost } from './_host.ts';
import { deployRun } from './_runs.ts';

const FILE = '/var/lib/fleet/deploy/history.jsonl';
const SECRET = 'sk-history-9f3a71c2';

describe('recording runs', () => {
  test('appends one JSON line per run; reads them back newest first, with a limit', async () => {
    const host = tempHost();
    expect(await readDeployHistory(host, { file: FILE })).toEqual({ runs: [], problems: [] });
    for (const id of ['r1', 'r2', 'r3']) await recordDeployRun(host, deployRun(id), { file: FILE });
    const lines = readFileSync(host.hostPath(FILE), 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual(deployRun('r1'));
    const { runs, problems } = await readDeployHistory(host, { file: FILE, limit: 2 });
    expect(runs.map((run) => run.id)).toEqual(['r3', 'r2']);
    expect(problems).toEqual([]);
  });

  test('keeps only the newest runs', async () => {
    const host = tempHost();
    for (let index = 1; index <= 12; index++)
      await recordDeployRun(host, deployRun(`r${index}`), { file: FILE, keep: 5 });
    const { runs } = await readDeployHistory(host, { file: FILE });
    expect(runs.map((run) => run.id)).toEqual(['r12', 'r11', 'r10', 'r9', 'r8']);
  });

  test('concurrent writers never lose or tear a line, even while trimming', async () => {
    const host = tempHost();
    const writers = Array.from({ length: 24 }, (_, index) =>
      recordDeployRun(
        new LocalExecutor({ root: host.root }),
        deployRun(`w${index}`, [], { message: 'x'.repeat(300_000) }),
        {
          file: FILE,
          keep: 10,
        },
      ),
    );
    await Promise.all(writers);
    const { runs, problems } = await readDeployHistory(host, { file: FILE });
    expect(problems).toEqual([]);
    expect(runs).toHaveLength(10);
    expect(new Set(runs.map((run) => run.id)).size).toBe(10);
  });

  test('a torn last line is skipped and reported, and the next run is recorded whole after it', async () => {
    const host = tempHost();
    await recordDeployRun(host, deployRun('r1'), { file: FILE });
    await recordDeployRun(host, deployRun('r2'), { file: FILE });
    const text = readFileSync(host.hostPath(FILE), 'utf8');
    writeFileSync(host.hostPath(FILE), `${text}${JSON.stringify(deployRun('torn')).slice(0, 40)}`);

    const torn = await readDeployHistory(host, { file: FILE });
    expect(torn.runs.map((run) => run.id)).toEqual(['r2', 'r1']);
    expect(torn.problems).toEqual([{ line: 3, reason: expect.stringMatching(/^not JSON \(a write cut short\?\)/) }]);

    await recordDeployRun(host, deployRun('r3'), { file: FILE });
    const after = await readDeployHistory(host, { file: FILE });
    expect(after.runs.map((run) => run.id)).toEqual(['r3', 'r2', 'r1']);
    expect(after.problems).toEqual([{ line: 3, reason: expect.any(String) }]);
  });

  test('a line that is JSON but no run is reported too; a run that fails the schema is not recorded', async () => {
    const host = tempHost();
    await host.mkdir('/var/lib/fleet/deploy');
    await host.writeFile(FILE, '{"id":"half"}\n');
    expect((await readDeployHistory(host, { file: FILE })).problems).toEqual([
      { line: 1, reason: expect.stringMatching(/^not a run: /) },
    ]);
    await expect(
      recordDeployRun(host, { ...deployRun('bad'), mode: 'yolo' } as never, { file: FILE }),
    ).rejects.toThrow();
    expect(readFileSync(host.hostPath(FILE), 'utf8')).toBe('{"id":"half"}\n');
  });
});

describe('secrets', () => {
  test('a secret planted in a plan never lands in the history file', async () => {
    const host = tempHost();
    const plan: Plan = {
      phases: [
        {
          name: 'config',
          steps: [
            fileStep({ path: '/app.env', template: 'TOKEN={{ t }}\n', vars: { t: SECRET }, secrets: [SECRET] }),
            commandStep({ name: `show ${SECRET}`, command: `echo token ${SECRET}; exit 3`, secrets: [SECRET] }),
          ],
        },
      ],
    };
    const results: HostResult[] = [];
    for (const mode of ['plan', 'apply'] as const) results.push(await runPlan(plan, { executor: host, mode }));
    expect(readFileSync(host.hostPath('/app.env'), 'utf8')).toContain(SECRET);
    await recordDeployRun(host, deployRun('secret-run', results, { status: deployRunStatus(results) }), { file: FILE });
    // The run's own fields are the caller's: `secrets` redacts those too.
    await recordDeployRun(host, deployRun('said-it', [], { message: `rotated ${SECRET}`, error: SECRET }), {
      file: FILE,
      secrets: [SECRET],
    });
    const history = readFileSync(host.hostPath(FILE), 'utf8');
    expect(history).not.toContain(SECRET);
    expect(history).not.toContain('9f3a71c2');
    expect(history).toContain('token ***');
    expect(history).toContain('show ***');
    expect(history).toContain('rotated ***');
    expect((await readDeployHistory(host, { file: FILE })).runs[1]?.status).toBe('failed');
  });
});

describe('summaries and plan hashes', () => {
  test('a summary keeps each host status and sums the counts', async () => {
    const host = tempHost();
    const plan: Plan = { phases: [{ name: 'p', steps: [commandStep({ command: 'true' })] }] };
    const a = await runPlan(plan, { executor: host, mode: 'apply' });
    const b = { ...a, host: 'b', status: 'failed' as const };
    const summary = summarizeDeployRun(deployRun('s', [a, b], { status: deployRunStatus([a, b]) }));
    expect(summary).toMatchObject({
      id: 's',
      status: 'failed',
      hosts: [
        { host: 'local', status: 'changed', aborted: false },
        { host: 'b', status: 'failed', aborted: false },
      ],
      counts: { changed: 2, ok: 0, failed: 0 },
    });
    expect(deployRunStatus([])).toBe('ok');
    expect(deployRunStatus([{ ...a, aborted: true }])).toBe('aborted');
  });

  test('the plan hash follows phases, step kinds, names and notified handlers, and is stable', () => {
    const make = (name: string, notify?: string): Plan => ({
      phases: [{ name: 'p', steps: [fileStep({ path: `/etc/${name}`, content: 'x', ...(notify ? { notify } : {}) })] }],
      handlers: { h: commandStep({ command: 'true' }) },
    });
    const base = planHash(make('a'));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(planHash(make('a'))).toBe(base);
    expect(planHash(make('b'))).not.toBe(base);
    expect(planHash(make('a', 'h'))).not.toBe(base);
    expect(planHash({ ...make('a'), handlers: {} })).not.toBe(base);
  });
});
