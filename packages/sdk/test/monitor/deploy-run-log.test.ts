import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { applyDeployEvents, DeployRunLog, deployingHosts } from '../../src/fleet/index.ts';
import { DashboardDeployRun } from '../../src/index.ts';
import { at, batch, hostEvents, hostFinished, runEvents } from './_deploy-events.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-deploy-log-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'dashboard.db');
}

function openLog(dbPath: string): DeployRunLog {
  const log = new DeployRunLog({ dbPath });
  cleanups.push(() => log.close());
  return log;
}

describe('applyDeployEvents', () => {
  test('follows each host live (phase, step) and keeps its result, trigger, commit and duration', () => {
    const events = runEvents('r1', ['web1', 'web2']);
    const live = applyDeployEvents(undefined, batch('r1', events.slice(0, 5)));
    expect(live).toMatchObject({
      id: 'r1',
      status: 'running',
      trigger: 'webhook',
      commit: 'ab12cd3',
      startedAt: at(0),
    });
    expect(live.hosts).toEqual([
      { host: 'web1', status: 'running', phase: 'release' },
      { host: 'web2', status: 'waiting' },
    ]);
    expect(deployingHosts(live)).toEqual(['web1']);
    const stepping = applyDeployEvents(live, batch('r1', events.slice(5, 6)));
    expect(stepping.hosts[0]).toEqual({ host: 'web1', status: 'running', phase: 'release', step: 'bundle' });
    expect(live.hosts[0]?.step).toBeUndefined();

    const done = applyDeployEvents(stepping, batch('r1', events.slice(6)));
    expect(DashboardDeployRun.parse(done)).toMatchObject({ status: 'changed', finishedAt: at(3), durationMs: 3000 });
    expect(done.hosts).toEqual([
      { host: 'web1', status: 'changed', aborted: false, durationMs: 1500 },
      { host: 'web2', status: 'changed', aborted: false, durationMs: 1500 },
    ]);
    expect(deployingHosts(done)).toEqual([]);
  });

  test('a late event of a finished host does not make it live again', () => {
    const run = applyDeployEvents(undefined, batch('r1', hostEvents('web1', 'ok', 1)));
    const late = applyDeployEvents(
      run,
      batch('r1', [{ type: 'step_started', at: at(1), host: 'web1', phase: 'p', step: 's', kind: 'k' }]),
    );
    expect(late.hosts).toEqual([{ host: 'web1', status: 'ok', aborted: false, durationMs: 1500 }]);
  });

  test('failed gates and rollbacks are listed as problems; a host left running when the run ends failed', () => {
    const run = applyDeployEvents(
      undefined,
      batch('r1', [
        { type: 'host_started', at: at(1), host: 'web1', mode: 'apply' },
        { type: 'host_started', at: at(1), host: 'web2', mode: 'apply' },
        hostFinished('web1', 'failed', 2),
        { type: 'gate_failed', at: at(2), host: 'web1', step: 'health bus', reason: 'HTTP 503' },
        { type: 'rollback_started', at: at(3), host: 'web1', from: 'b', to: 'a' },
        { type: 'rollback_finished', at: at(4), host: 'web1', ok: false, error: 'unit did not start' },
        { type: 'run_finished', at: at(5), runId: 'r1', status: 'failed' },
      ]),
    );
    expect(run.problems).toEqual(['web1: health bus failed: HTTP 503', 'web1: rollback failed: unit did not start']);
    expect(run.hosts).toEqual([
      { host: 'web1', status: 'failed', aborted: false, durationMs: 1500, rollback: 'failed' },
      { host: 'web2', status: 'failed', aborted: false },
    ]);
  });
});

describe('DeployRunLog', () => {
  test('says which hosts started and stopped deploying with each batch', () => {
    const log = openLog(':memory:');
    const events = hostEvents('web1', 'changed', 1);
    expect(log.apply(batch('r1', events.slice(0, 2)))).toMatchObject({ started: ['web1'], finished: [] });
    expect(log.apply(batch('r1', events.slice(2, 4)))).toMatchObject({ started: [], finished: [] });
    expect(log.deployingHosts()).toEqual(['web1']);
    // The host finished, though the run has not: it is no longer deploying.
    expect(log.apply(batch('r1', events.slice(4)))).toMatchObject({ started: [], finished: ['web1'] });
    expect(log.deployingHosts()).toEqual([]);
    // A run that ends while a host is still deploying stops it too.
    log.apply(batch('r2', [{ type: 'host_started', at: at(9), host: 'web2', mode: 'apply' }]));
    const ended = log.apply(batch('r2', [{ type: 'run_finished', at: at(10), runId: 'r2', status: 'aborted' }]));
    expect(ended).toMatchObject({ started: [], finished: ['web2'] });
  });

  test('lists runs newest first, keeps them across a restart, and drops the oldest beyond `keep`', () => {
    const dbPath = tempDb();
    const first = openLog(dbPath);
    for (let index = 0; index < 4; index += 1)
      first.apply(batch(`r${index}`, runEvents(`r${index}`, ['web1'], {}, index * 10)));
    first.close();
    const reopened = new DeployRunLog({ dbPath, keep: 3 });
    cleanups.push(() => reopened.close());
    expect(reopened.deploys().runs.map((run) => run.id)).toEqual(['r3', 'r2', 'r1', 'r0']);
    reopened.apply(batch('r4', runEvents('r4', ['web1'], {}, 40)));
    expect(reopened.deploys().runs.map((run) => run.id)).toEqual(['r4', 'r3', 'r2']);
    expect(reopened.deploys(1).runs.map((run) => run.id)).toEqual(['r4']);
  });

  test('openWindows: hosts of running runs whose last batch arrived within the window, until then plus the window', () => {
    let nowMs = 1_000_000;
    const log = new DeployRunLog({ dbPath: ':memory:', now: () => nowMs });
    cleanups.push(() => log.close());
    const events = hostEvents('web1', 'changed', 1);
    log.apply(batch('r1', events.slice(0, 2)));
    nowMs += 400;
    log.apply(batch('r1', events.slice(2, 3)));
    expect(log.openWindows(1000)).toEqual([{ host: 'web1', untilMs: 1_001_400 }]);
    nowMs += 999;
    expect(log.openWindows(1000)).toEqual([{ host: 'web1', untilMs: 1_001_400 }]);
    nowMs += 1;
    expect(log.openWindows(1000)).toEqual([]);
    nowMs -= 1;
    log.apply(batch('r1', events.slice(3)));
    expect(log.openWindows(1000)).toEqual([]);
  });

  test('the last finished apply run is `failed` until a good run finishes after it', () => {
    const log = openLog(':memory:');
    log.apply(batch('r1', runEvents('r1', ['web1'], { web1: 'failed' }, 0)));
    expect(log.deploys().failed).toMatchObject({ id: 'r1', status: 'failed' });
    // A run still running, an aborted one and a plan do not replace it.
    log.apply(batch('r2', runEvents('r2', ['web1'], {}, 10).slice(0, 3)));
    log.apply({
      ...batch('r3', []),
      run: { id: 'r3', trigger: 'cli', mode: 'plan' },
      events: runEvents('r3', ['web1'], {}, 20),
    });
    log.apply(
      batch('r4', [
        { type: 'run_started', at: at(30), runId: 'r4', mode: 'apply', batches: [] },
        { type: 'run_finished', at: at(31), runId: 'r4', status: 'aborted' },
      ]),
    );
    expect(log.deploys().failed?.id).toBe('r1');
    log.apply(batch('r2', runEvents('r2', ['web1'], {}, 10).slice(3)));
    expect(log.deploys().failed).toBeNull();
  });
});
