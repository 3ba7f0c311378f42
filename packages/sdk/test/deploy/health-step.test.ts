import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedPort } from '@fleet/test-utils/closed-port';
import { afterEach, describe, expect, test } from 'vitest';
import { LocalExecutor } from '../../src/deploy/local-executor.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { type HealthStepOptions, healthStep } from '../../src/deploy/steps/health.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A real HTTP server answering each request with `answer(n)` (n counts from 1); its URL and the requests it got. */
async function healthServer(answer: (n: number) => { status: number; body: unknown }) {
  const seen = { requests: 0 };
  const server = createServer((_request, response) => {
    const { status, body } = answer(++seen.requests);
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`, seen };
}

const executor = new LocalExecutor();
const plan = (options: HealthStepOptions): Plan => ({ phases: [{ name: 'verify', steps: [healthStep(options)] }] });
const step = (result: Awaited<ReturnType<typeof runPlan>>) => result.phases[0]?.steps[0];
const BODY_OK = ['[STATUS] == 200', '[BODY].status == ok'];

describe('healthStep', () => {
  test('apply mode waits for the given number of good probes in a row, then is ok; again ok, 0 changes', async () => {
    const { url, seen } = await healthServer((n) =>
      n <= 2 ? { status: 503, body: { status: 'starting' } } : { status: 200, body: { status: 'ok' } },
    );
    const options = { url, conditions: BODY_OK, successes: 2, intervalMs: 10 };
    const first = await runPlan(plan(options), { executor, mode: 'apply' });
    expect(step(first)).toMatchObject({ status: 'ok', changes: [] });
    expect(seen.requests).toBe(4);
    const again = await runPlan(plan(options), { executor, mode: 'apply' });
    expect(step(again)).toMatchObject({ status: 'ok', changes: [] });
    expect(seen.requests).toBe(6);
  });

  test('apply mode fails with the last probe’s reason in the monitor’s words when the time runs out', async () => {
    const { url } = await healthServer(() => ({ status: 200, body: { status: 'degraded' } }));
    const result = await runPlan(plan({ url, conditions: BODY_OK, timeoutMs: 200, intervalMs: 20 }), {
      executor,
      mode: 'apply',
    });
    expect(result.status).toBe('failed');
    expect(step(result)?.error).toBe(`${url} not healthy after 200 ms: [BODY].status == ok: got "degraded"`);
  });

  test('a refused connection is the reason when nothing listens', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/health`;
    const result = await runPlan(plan({ url, timeoutMs: 100, intervalMs: 20 }), { executor, mode: 'apply' });
    expect(step(result)?.error).toMatch(/not healthy after 100 ms: connection refused/);
  });

  test('plan mode probes once, without waiting, and reports "would wait" with the reason instead of failing', async () => {
    const { url, seen } = await healthServer(() => ({ status: 503, body: { status: 'down' } }));
    const result = await runPlan(plan({ url, timeoutMs: 60_000 }), { executor, mode: 'plan' });
    expect(seen.requests).toBe(1);
    expect(result.counts).toMatchObject({ changed: 1, failed: 0 });
    expect(step(result)?.changes).toEqual([
      { action: 'run', target: url, summary: 'wait until healthy (now: [STATUS] == 200: got 503)' },
    ]);
  });

  test('plan mode is ok after one good probe', async () => {
    const { url, seen } = await healthServer(() => ({ status: 200, body: { status: 'ok' } }));
    const result = await runPlan(plan({ url, conditions: BODY_OK }), { executor, mode: 'plan' });
    expect(step(result)).toMatchObject({ status: 'ok', changes: [] });
    expect(seen.requests).toBe(1);
  });

  test('a condition that does not parse is a plan error naming it', () => {
    expect(() => healthStep({ url: 'http://127.0.0.1/', conditions: ['[STATUS] = 200'] })).toThrow(
      expect.objectContaining({ code: 'invalid_plan', message: expect.stringContaining('[STATUS] = 200') }),
    );
  });
});
