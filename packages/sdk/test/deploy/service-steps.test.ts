import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { fileStep } from '../../src/deploy/steps/file.ts';
import { healthStep } from '../../src/deploy/steps/health.ts';
import { serviceStep } from '../../src/deploy/steps/service.ts';
import { systemdUnitStep } from '../../src/deploy/steps/systemd-unit.ts';
import type { SystemdUnit } from '../../src/deploy/systemd-unit.ts';
import { snapshot } from './_host.ts';
import { sshExecutors } from './_ssh.ts';

// The test hosts run no systemd: @fleet/test-utils mounts its stand-in systemctl over this
// machine's, which starts units as real processes on the host (and needs a systemctl to cover).
const NODE = process.execPath;
// The service runs as `daemon` when that user can run this Node (it may live under /root).
const SERVICE_USER =
  spawnSync('setpriv', ['--reuid=daemon', '--regid=daemon', '--clear-groups', NODE, '-e', ''], { stdio: 'ignore' })
    .status === 0
    ? 'daemon'
    : 'root';

/** A unit whose ExecStart is a Node HTTP server on the host's address answering `{ status, version, pid }`. */
function webUnit(address: string, port: number, version: string): SystemdUnit {
  const server = `
    console.log('started', process.pid, process.env.GREETING);
    process.on('SIGHUP', () => console.log('reloaded', process.pid));
    require('http').createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ status: 'ok', version: process.env.VERSION, pid: process.pid }));
    }).listen(${port}, '${address}');`;
  return {
    description: `Fleet test web ${port}`,
    execStart: [NODE, '-e', server],
    user: SERVICE_USER,
    environment: { VERSION: version },
    environmentFile: '/etc/fleet/web.env',
    workingDirectory: '/',
  };
}

describe.skipIf(!hasTestHostDeps() || !hasSystemCommand('systemctl', 'systemd'))(
  'unit, service and health steps on a test host (stand-in systemctl)',
  () => {
    let run: TestHosts;
    const sshAsRoot = sshExecutors(() => run);
    let host: TestHost;
    beforeAll(async () => {
      run = await startTestHosts(1);
      host = run.hosts[0]!;
    });
    afterAll(() => run?.close());

    const log = (unit: string) => {
      try {
        return readFileSync(join(host.dirs.systemctlState, `${unit}.log`), 'utf8');
      } catch {
        return '';
      }
    };
    const starts = (unit: string) => log(unit).match(/^started /gm)?.length ?? 0;

    function webPlan(unit: string, port: number, version: string): Plan {
      return {
        phases: [
          {
            name: 'install',
            steps: [
              fileStep({ path: '/etc/fleet/web.env', content: 'GREETING=hello\n', mode: '0640' }),
              systemdUnitStep({ unit, content: webUnit(host.address, port, version), notify: 'restart web' }),
              serviceStep({ unit, enabled: true, state: 'started' }),
            ],
          },
          {
            name: 'verify',
            steps: [
              healthStep({
                url: `http://${host.address}:${port}/`,
                conditions: ['[STATUS] == 200', '[BODY].status == ok', `[BODY].version == ${version}`],
                intervalMs: 50,
                timeoutMs: 10_000,
              }),
            ],
          },
        ],
        handlers: { 'restart web': serviceStep({ unit, action: 'restart' }) },
      };
    }

    test('plan mode on a fresh host shows the unit, enable, start and a health wait, and changes nothing', async () => {
      const executor = sshAsRoot(host);
      const before = [snapshot(host.dirs.systemdSystem), snapshot(host.dirs.systemctlState)];
      const result = await runPlan(webPlan('fltt-plan.service', 8081, '1'), { executor, mode: 'plan' });
      const [install, verify] = result.phases;
      expect(install?.steps.map((step) => [step.status, step.changes.map((change) => change.summary)])).toEqual([
        ['changed', ['create (mode 0640)']],
        ['changed', ['create (mode 0644)']],
        ['changed', ['enable (now not loaded)', 'start (now not loaded)']],
      ]);
      expect(install?.handlers).toMatchObject([{ handler: 'restart web', status: 'changed' }]);
      expect(verify?.steps[0]).toMatchObject({
        status: 'changed',
        changes: [{ summary: 'wait until healthy (now: connection refused)' }],
      });
      expect(result.counts.failed).toBe(0);
      expect([snapshot(host.dirs.systemdSystem), snapshot(host.dirs.systemctlState)]).toEqual(before);
    });

    test('apply installs, enables and starts it and waits for health; a second apply changes nothing', async () => {
      const unit = 'fltt-apply.service';
      const executor = sshAsRoot(host);
      const first = await runPlan(webPlan(unit, 8082, '1'), { executor, mode: 'apply' });
      expect(first.status, JSON.stringify(first.phases, null, 1)).toBe('changed');
      expect(first.phases[1]?.steps[0]).toMatchObject({ status: 'ok' });
      expect(readFileSync(join(host.dirs.systemdSystem, unit), 'utf8')).toContain('ExecStart=');
      expect(log(unit)).toContain('hello'); // EnvironmentFile= reached the process
      const enabled = await executor.run(['systemctl', 'is-enabled', unit]);
      expect(enabled).toMatchObject({ exitCode: 0, stdout: 'enabled\n' });
      const startsAfterFirst = starts(unit);

      const second = await runPlan(webPlan(unit, 8082, '1'), { executor, mode: 'apply' });
      expect(second.counts).toMatchObject({ changed: 0, failed: 0, ok: 4 });
      expect(second.phases[0]?.handlers).toEqual([]);
      expect(starts(unit)).toBe(startsAfterFirst);
    });

    test('a changed unit is reloaded and its notify handler restarts the service exactly once', async () => {
      const unit = 'fltt-change.service';
      const executor = sshAsRoot(host);
      await runPlan(webPlan(unit, 8083, '1'), { executor, mode: 'apply' });
      const pidOf = async () =>
        Number((await executor.run(['systemctl', 'show', '-p', 'MainPID', unit])).stdout.split('=')[1]);
      const oldPid = await pidOf();
      const startsBefore = starts(unit);

      const result = await runPlan(webPlan(unit, 8083, '2'), { executor, mode: 'apply' });
      expect(result.status).toBe('changed');
      const [install, verify] = result.phases;
      expect(install?.steps.map((step) => step.status)).toEqual(['ok', 'changed', 'ok']);
      expect(install?.steps[1]?.changes[0]?.diff).toContain('+Environment=VERSION=2');
      expect(install?.handlers).toMatchObject([
        { handler: 'restart web', status: 'changed', notifiedBy: ['unit fltt-change.service'] },
      ]);
      // The health gate asks for version 2: the restarted process runs the reloaded unit.
      expect(verify?.steps[0]).toMatchObject({ status: 'ok' });
      expect(starts(unit)).toBe(startsBefore + 1);
      expect(await pidOf()).not.toBe(oldPid);
      expect((await executor.run(['systemctl', 'show', '-p', 'NeedDaemonReload', unit])).stdout).toBe(
        'NeedDaemonReload=no\n',
      );
    });

    test('stopped and disabled: stops the process and removes the wants link; again 0 changes', async () => {
      const unit = 'fltt-stop.service';
      const executor = sshAsRoot(host);
      await runPlan(webPlan(unit, 8084, '1'), { executor, mode: 'apply' });
      const plan: Plan = {
        phases: [{ name: 'stop', steps: [serviceStep({ unit, enabled: false, state: 'stopped' })] }],
      };
      const preview = await runPlan(plan, { executor, mode: 'plan' });
      expect(preview.phases[0]?.steps[0]?.changes.map((change) => change.summary)).toEqual([
        'disable (now enabled)',
        'stop (now active)',
      ]);
      expect((await executor.run(['systemctl', 'is-active', unit])).stdout).toBe('active\n');

      expect((await runPlan(plan, { executor, mode: 'apply' })).counts).toMatchObject({ changed: 1, failed: 0 });
      expect((await executor.run(['systemctl', 'is-active', unit])).stdout).toBe('inactive\n');
      const health = await runPlan(
        { phases: [{ name: 'verify', steps: [healthStep({ url: `http://${host.address}:8084/` })] }] },
        { executor, mode: 'plan' },
      );
      expect(health.phases[0]?.steps[0]?.changes[0]?.summary).toBe('wait until healthy (now: connection refused)');
      expect((await runPlan(plan, { executor, mode: 'apply' })).counts).toMatchObject({ ok: 1, changed: 0 });
    });

    test('start fails with a message when the program is missing or the process dies at once', async () => {
      const executor = sshAsRoot(host);
      const cases: [string, SystemdUnit['execStart'], RegExp][] = [
        ['fltt-missing.service', ['/nonexistent/server'], /ExecStart program \/nonexistent\/server not found/],
        // sh, not node: it exits within the stand-in's 300 ms even on a loaded machine, where node's
        // own start can take longer (the step then saw a service still running).
        ['fltt-dies.service', ['/bin/sh', '-c', 'exit 3'], /the process exited \(3\) within 300 ms/],
      ];
      for (const [unit, execStart, message] of cases) {
        const content = { description: unit, execStart, user: SERVICE_USER, after: [] };
        const plan: Plan = {
          phases: [
            {
              name: 'install',
              steps: [systemdUnitStep({ unit, content }), serviceStep({ unit, state: 'started' })],
            },
          ],
        };
        const result = await runPlan(plan, { executor, mode: 'apply' });
        const step = result.phases[0]?.steps[1];
        expect(step?.status).toBe('failed');
        expect(step?.error).toBe(`systemctl start ${unit} exited with 1`);
        expect(step?.output).toMatch(message);
        expect((await executor.run(['systemctl', 'is-active', unit])).stdout).toBe('failed\n');
      }
    });
  },
);
