import { describe, expect, test } from 'vitest';
import { demoFleetYaml } from '../../src/fleet/demo.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { fleetTargets } from '../../src/fleet/targets.ts';
import { Health } from '../../src/schemas/health.ts';
import { openMonitor, startTarget, type TestTarget, testClock } from '../monitor/_monitor.ts';
import { yaml } from './_fleet.ts';

/** A Fleet `/health` answer, as the demo agent gives it: 200 either way, `status` in the body. */
function health(status: Health['status']): Health {
  return Health.parse({ status, service: 'fleet-demo-agent', version: '1.2.3', uptimeSeconds: 42 });
}

/** Loads `text` and monitors its wizards (only: the file's other services are not running). */
function monitorWizards(text: string) {
  const { value, errors } = parseFleet(text, { env: {} });
  expect(errors).toEqual([]);
  const clock = testClock();
  const targets = fleetTargets(value!).filter((target) => target.kind === 'wizard');
  const monitor = openMonitor({ targets, now: clock.now });
  /** Probes every wizard `times` times, one interval apart. */
  const probe = async (times: number) => {
    for (let time = 0; time < times; time++) {
      await monitor.probeNow();
      clock.advance(30_000);
    }
  };
  return { monitor, probe };
}

/** The fleet file `fleet up` writes, with one demo wizard on `agent`'s port. */
function demoFile(agent: TestTarget): string {
  return demoFleetYaml({ wizards: [{ name: 'scout', port: Number(new URL(agent.url()).port) }] });
}

describe('the health check of a wizard', () => {
  test('a demo wizard answering 200 with a degraded Fleet health body fails its probes and goes down', async () => {
    const agent = await startTarget();
    agent.set('/health', { body: health('degraded') });
    const { monitor, probe } = monitorWizards(demoFile(agent));

    const [result] = await monitor.probeNow();
    expect(result).toMatchObject({
      target: 'scout',
      ok: false,
      status: 200,
      error: '[BODY].status == ok: got "degraded"',
    });
    await probe(3);
    expect(monitor.status('scout')).toMatchObject({ state: 'down', lastError: '[BODY].status == ok: got "degraded"' });
  });

  test('an ok Fleet health body is up; a body that is not a Fleet health answer is down', async () => {
    const agent = await startTarget();
    agent.set('/health', { body: health('ok') });
    const { monitor, probe } = monitorWizards(demoFile(agent));
    await probe(1);
    expect(monitor.status('scout')).toMatchObject({ state: 'up', lastError: null });

    agent.set('/health', { body: 'OK' });
    await probe(3);
    expect(monitor.status('scout')).toMatchObject({
      state: 'down',
      lastError: '[BODY].status == ok: the body is not JSON',
    });
  });

  test('a wizard running a program of its own (exec) is judged by its status only, as before', async () => {
    const agent = await startTarget();
    agent.set('/health', { body: 'alpha-v1' });
    const port = Number(new URL(agent.url()).port);
    const { monitor, probe } = monitorWizards(
      yaml(
        'version: 1',
        'hosts: { local: { address: 127.0.0.1 } }',
        'wizards:',
        `  alpha: { host: local, port: ${port}, exec: [/usr/bin/python3, /opt/agents/alpha.py] }`,
      ),
    );
    await probe(3);
    expect(monitor.status('alpha')).toMatchObject({ state: 'up', lastError: null });
  });

  test('conditions written in the file replace the preset, for a wizard too', async () => {
    const agent = await startTarget();
    agent.set('/health', { body: health('degraded') });
    const port = Number(new URL(agent.url()).port);
    const { monitor, probe } = monitorWizards(
      yaml(
        'version: 1',
        'hosts: { local: { address: 127.0.0.1 } }',
        'wizards:',
        `  scout: { host: local, port: ${port}, health: { conditions: ["[STATUS] == 200"] } }`,
      ),
    );
    await probe(3);
    expect(monitor.status('scout')).toMatchObject({ state: 'up', lastError: null });
  });
});
