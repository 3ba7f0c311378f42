// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { existsSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployRunEvent, HostResult } from '@fleet/sdk/deploy';
import { hasTestHostDeps, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { beforeAll, describe, expect, test } from 'vitest';
import { deploy } from '../src/deploy/deploy.ts';
import { rollbackFleet } from '../src/deploy/rollback.ts';
import { enabled, health, useWizardHost } from './_wizard-host.ts';

const SECRET = { ALPHA_KEY: 'alpha-key-5d1e8f3a9b2c7046' };
const ALPHA = 'fleet-wizard-alpha.service';
const BETA = 'fleet-wizard-beta.service';

/** The unit's ExecStart= line, as the host's /etc/systemd/system has it. */
function execStart(host: TestHost, unit: string): string | undefined {
  const file = join(host.dirs.systemdSystem, unit);
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .split('\n')
    .find((line) => line.startsWith('ExecStart='));
}

function steps(result: HostResult | undefined, phase: string): string[] {
  return (result?.phases ?? [])
    .filter((entry) => entry.phase === phase)
    .flatMap((entry) => entry.steps.map((step) => `${step.step}: ${step.status}`));
}

describe.skipIf(!hasTestHostDeps())('a rollback puts back the unit files of the release it goes back to', () => {
  const wizardHost = useWizardHost();
  let run: TestHosts;
  let h1: TestHost;
  let script: string;
  const events: DeployRunEvent[] = [];
  beforeAll(() => {
    ({ run, h1, script } = wizardHost);
  });

  /** Wizard alpha running `exec: [node, wizard.mjs, ...alpha]`; wizard beta too when given. */
  const fleetText = (alpha: string[], beta?: string[]) => {
    const wizard = (name: string, port: number, args: string[]) => [
      `  ${name}:`,
      '    host: h1',
      `    port: ${port}`,
      `    exec: ${JSON.stringify([process.execPath, script, ...args])}`,
      '    health: { interval: 2s, timeout: 1s }',
      '    env: { ALPHA_KEY: "${ALPHA_KEY}" }',
    ];
    return [
      'version: 1',
      'name: rollback-units',
      'hosts:',
      `  h1: { address: ${h1.address}, ssh: {} }`,
      'wizards:',
      ...wizard('alpha', 8661, alpha),
      ...(beta ? wizard('beta', 8662, beta) : []),
      'deploy:',
      `  node: ${process.execPath}`,
      '  gate: { successes: 2, timeout: 4s, interval: 250ms }',
      '',
    ].join('\n');
  };
  const ssh = () => ({ identity: run.clientKey.privateKeyPath, knownHostsFile: run.knownHostsPath });
  const apply = (text: string) =>
    deploy({ configText: text, env: SECRET, mode: 'apply', ssh: ssh(), onEvent: (event) => events.push(event) });
  const rollback = (text: string) =>
    rollbackFleet({ configText: text, env: SECRET, ssh: ssh(), onEvent: (event) => events.push(event) });
  const current = () => readlinkSync(join(h1.dirs.optFleet, 'app/current'));
  /** The unit as systemd last loaded it (the stand-in's copy at its last daemon-reload). */
  const loaded = (unit: string) => readFileSync(join(h1.dirs.systemctlState, 'units', unit), 'utf8');
  const live = (unit: string) => readFileSync(join(h1.dirs.systemdSystem, unit), 'utf8');

  test('a failed health gate: the automatic rollback restores ExecStart and retires a service the deploy added', async () => {
    const first = await apply(fleetText(['alpha-v1']));
    expect(first.failure).toBeUndefined();
    expect(execStart(h1, ALPHA)).toContain('alpha-v1');
    const good = current();

    // v2 changes alpha's command line (to one whose health check fails) and adds beta.
    const second = await apply(fleetText(['alpha-v2', 'unhealthy'], ['beta-v2']));
    expect(second.run.status).toBe('failed');
    expect(second.failure).toMatchObject({ host: 'h1', phase: 'gate' });
    expect(second.rolledBack).toEqual(['h1']);
    expect(current()).toBe(good);
    expect(execStart(h1, ALPHA)).toContain('alpha-v1');
    expect(execStart(h1, ALPHA)).not.toContain('alpha-v2');
    expect(loaded(ALPHA)).toBe(live(ALPHA));
    expect(await health(h1, 8661)).toBe('200 alpha-v1');
    // The release rolled back to had no beta: stopped, disabled, its unit gone.
    expect(execStart(h1, BETA)).toBeUndefined();
    expect(enabled(h1, BETA)).toBe(false);
    expect(await health(h1, 8662)).toBe('no answer');
    const rollbackPhase = steps(second.run.hosts[0], 'rollback');
    expect(rollbackPhase).toContain('systemctl daemon-reload: changed');
    expect(rollbackPhase).toContain(`restart ${ALPHA}: changed`);
    expect(second.run.hosts[0]?.phases.find((phase) => phase.phase === 'rollback')?.status).toBe('changed');
  }, 120_000);

  test('fleet deploy rollback restores the units of the previous release; a second rollback brings the newer ones back', async () => {
    const text = fleetText(['alpha-v3'], ['beta-v3']);
    const third = await apply(text);
    expect(third.failure).toBeUndefined();
    expect(await health(h1, 8662)).toBe('200 beta-v3');
    const newer = current();

    const back = await rollback(text);
    expect(back.run).toMatchObject({ status: 'changed', trigger: 'rollback' });
    expect(back.rolledBack).toEqual(['h1']);
    expect(execStart(h1, ALPHA)).toContain('alpha-v1');
    expect(await health(h1, 8661)).toBe('200 alpha-v1');
    expect(execStart(h1, BETA)).toBeUndefined();
    expect(enabled(h1, BETA)).toBe(false);
    expect(await health(h1, 8662)).toBe('no answer');

    const again = await rollback(text);
    expect(again.run.status).toBe('changed');
    expect(current()).toBe(newer);
    expect(execStart(h1, ALPHA)).toContain('alpha-v3');
    expect(execStart(h1, BETA)).toContain('beta-v3');
    expect(enabled(h1, BETA)).toBe(true);
    expect(loaded(BETA)).toBe(live(BETA));
    expect(await health(h1, 8661)).toBe('200 alpha-v3');
    expect(await health(h1, 8662)).toBe('200 beta-v3');
  }, 120_000);

  test('a release made before releases kept their units: the units stay, restarted, and the result says so', async () => {
    const fourth = await apply(fleetText(['alpha-v4'], ['beta-v3']));
    expect(fourth.failure).toBeUndefined();
    const previous = readlinkSync(join(h1.dirs.optFleet, 'app/previous'));
    rmSync(join(h1.dirs.optFleet, 'app', previous, 'units'), { recursive: true });
    const back = await rollback(fleetText(['alpha-v4'], ['beta-v3']));
    expect(back.run.status).toBe('changed');
    expect(steps(back.run.hosts[0], 'rollback')).toContain(
      `units kept: release ${previous.replace('releases/', '')} has no saved unit files (made before releases kept them): changed`,
    );
    expect(execStart(h1, ALPHA)).toContain('alpha-v4');
    expect(await health(h1, 8661)).toBe('200 alpha-v4');
  }, 120_000);

  test('a deploy stopped once it holds the lock, before any host ran, is recorded aborted, never ok', async () => {
    const stop = new AbortController();
    const stopped = await deploy({
      configText: fleetText(['alpha-v5']),
      env: SECRET,
      mode: 'apply',
      ssh: ssh(),
      signal: stop.signal,
      onEvent: (event) => {
        events.push(event);
        // A SIGTERM arriving while the lock was being taken.
        if (event.type === 'lock_acquired') stop.abort();
      },
    });
    expect(stopped.run).toMatchObject({ status: 'aborted', error: 'stopped before deploying h1', hosts: [] });
    expect(execStart(h1, ALPHA)).toContain('alpha-v4');
  }, 120_000);

  test('no planted secret appears in the events of the deploys and rollbacks', () => {
    expect(events.some((event) => event.type === 'rollback_finished')).toBe(true);
    expect(JSON.stringify(events)).not.toContain(SECRET.ALPHA_KEY);
  });
});
