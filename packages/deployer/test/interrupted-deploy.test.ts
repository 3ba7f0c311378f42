// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { HostResult } from '@fleet/sdk/deploy';
import { hasTestHostDeps } from '@fleet/test-utils/test-hosts';
import { describe, expect, test } from 'vitest';
import { deploy } from '../src/deploy/deploy.ts';
import { unlockDeploy } from '../src/deploy/lock-host.ts';
import { type KillAt, killedDeploy } from './_killed-deploy.ts';
import { health, useWizardHost } from './_wizard-host.ts';

const SECRET = { ALPHA_KEY: 'alpha-key-5d1e8f3a9b2c7046' };
const ALPHA = 'fleet-wizard-alpha.service';
const BETA = 'fleet-wizard-beta.service';

/** The handlers a host's run ran, as `<handler>: <status>`. */
function handlers(result: HostResult | undefined): string[] {
  return (result?.phases ?? []).flatMap((phase) => phase.handlers.map((entry) => `${entry.handler}: ${entry.status}`));
}

describe.skipIf(!hasTestHostDeps())('a deploy killed half-way is finished by the next run', () => {
  const host = useWizardHost();

  /** Wizards alpha and beta, each running `exec: [node, wizard.mjs, ...args]`. */
  const fleetText = (alpha: string[], beta: string[]) => {
    const wizard = (name: string, port: number, args: string[]) => [
      `  ${name}:`,
      '    host: h1',
      `    port: ${port}`,
      `    exec: ${JSON.stringify([process.execPath, host.script, ...args])}`,
      '    health: { interval: 2s, timeout: 1s }',
      '    env: { ALPHA_KEY: "${ALPHA_KEY}" }',
    ];
    return [
      'version: 1',
      'name: interrupted',
      'hosts:',
      `  h1: { address: ${host.h1.address}, ssh: {} }`,
      'wizards:',
      ...wizard('alpha', 8661, alpha),
      ...wizard('beta', 8662, beta),
      'deploy:',
      `  node: ${process.execPath}`,
      '  gate: { successes: 2, timeout: 4s, interval: 250ms }',
      '',
    ].join('\n');
  };
  const apply = (text: string) => deploy({ configText: text, env: SECRET, mode: 'apply', ssh: host.ssh() });
  /** Kills a deploy of `text` at `at`, then clears the lock it left, as an operator would. */
  const kill = async (text: string, at: KillAt) => {
    const events = await killedDeploy(text, SECRET, host.ssh(), at);
    await unlockDeploy({ configText: text, env: SECRET, ssh: host.ssh() });
    return events;
  };
  const current = () => readlinkSync(join(host.h1.dirs.optFleet, 'app/current'));

  test('killed after a unit was written, before its restart: the next run restarts it', async () => {
    const first = await apply(fleetText(['alpha-v1'], ['beta-v1']));
    expect(first.failure).toBeUndefined();
    expect(await health(host.h1, 8661)).toBe('200 alpha-v1');

    const v2 = fleetText(['alpha-v2'], ['beta-v1']);
    await kill(v2, { type: 'step_finished', step: `unit ${ALPHA}`, status: 'changed' });
    // The unit says v2, the old process runs on.
    expect(await health(host.h1, 8661)).toBe('200 alpha-v1');

    const rerun = await apply(v2);
    expect(rerun.failure).toBeUndefined();
    expect(handlers(rerun.run.hosts[0])).toContain(`restart ${ALPHA}: changed`);
    expect(await health(host.h1, 8661)).toBe('200 alpha-v2');

    // Done once: the run after that restarts nothing.
    const third = await apply(v2);
    expect(third.run.status).toBe('ok');
    expect(handlers(third.run.hosts[0])).toEqual([]);
  }, 180_000);

  test('killed right after activating an unhealthy release: the next run gates it and rolls back', async () => {
    const good = fleetText(['alpha-v3'], ['beta-v1']);
    expect((await apply(good)).failure).toBeUndefined();
    const verified = current();

    const bad = fleetText(['alpha-v4', 'unhealthy'], ['beta-v1']);
    await kill(bad, { type: 'step_finished', step: 'activate release', status: 'changed' });
    expect(current()).not.toBe(verified);

    const rerun = await apply(bad);
    expect(rerun.failure).toMatchObject({ host: 'h1', phase: 'gate' });
    expect(rerun.rolledBack).toEqual(['h1']);
    expect(current()).toBe(verified);
    expect(await health(host.h1, 8661)).toBe('200 alpha-v3');
  }, 180_000);

  test('after a killed activation, a failed deploy rolls back to the last release that passed its gate', async () => {
    const verified = current();
    await kill(fleetText(['alpha-v5'], ['beta-v1']), { type: 'step_finished', step: 'activate release' });

    const unhealthy = await apply(fleetText(['alpha-v6', 'unhealthy'], ['beta-v1']));
    expect(unhealthy.rolledBack).toEqual(['h1']);
    // Not to `previous` (the release whose activation was killed, never gated).
    expect(current()).toBe(verified);
    expect(await health(host.h1, 8661)).toBe('200 alpha-v3');
  }, 180_000);

  test('killed while writing the env files of a new release: the next run restarts only what changed', async () => {
    const v7 = fleetText(['alpha-v7'], ['beta-v1']);
    await kill(v7, { type: 'step_started', step: 'file /opt/fleet/app/releases/' });
    const rerun = await apply(v7);
    expect(rerun.failure).toBeUndefined();
    expect(handlers(rerun.run.hosts[0])).toEqual([`restart ${ALPHA}: changed`]);
    expect(await health(host.h1, 8661)).toBe('200 alpha-v7');
    expect(await health(host.h1, 8662)).toBe('200 beta-v1');
    expect(handlers(rerun.run.hosts[0])).not.toContain(`restart ${BETA}: changed`);
  }, 180_000);
});
