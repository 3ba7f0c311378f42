import { describe, expect, test } from 'vitest';
import { readDeployHistory } from '../../src/deploy/history/read-deploy-history.ts';
import { recordDeployRun } from '../../src/deploy/history/record-deploy-run.ts';
import type { HostResult } from '../../src/deploy/host-result.ts';
import { DeployQueue } from '../../src/deploy-hook/deploy-queue.ts';
import { listHookDeploys } from '../../src/deploy-hook/list-hook-deploys.ts';
import { deployHookRoutes } from '../../src/deploy-hook/routes.ts';
import { DeployHookDeploys } from '../../src/deploy-hook/schemas.ts';
import { tempHost } from '../deploy/_host.ts';
import { deployRun } from '../deploy/_runs.ts';

const FILE = '/var/lib/fleet/deploy/history.jsonl';
const sha = (n: number) => n.toString(16).padStart(40, '0');

function hostResult(host: string, status: HostResult['status']): HostResult {
  return {
    host,
    mode: 'apply',
    status,
    aborted: false,
    phases: [{ phase: 'fleet', status: status === 'changed' ? 'changed' : 'ok', steps: [], handlers: [] }],
    counts: { ok: 3, changed: status === 'changed' ? 1 : 0, failed: 0, skipped: 0, mayChange: 0 },
    durationMs: 1200,
  };
}

/** A queue whose deploys finish at once, after `count` pushes were deployed. */
async function queueWithJobs(count: number): Promise<DeployQueue> {
  const queue = new DeployQueue({ deploy: async () => ({ status: 'changed' }) });
  for (let index = 1; index <= count; index++) {
    queue.offer({ commit: sha(index), deliveryId: `delivery-${index}` });
    await queue.idle();
  }
  return queue;
}

describe('GET /deploys: the hook’s jobs and the deployer’s history', () => {
  test("lists the deployer's recorded runs newest first, whatever started them, without their step results", async () => {
    const lockHost = tempHost();
    await recordDeployRun(
      lockHost,
      deployRun('r1', [hostResult('h1', 'changed')], { trigger: 'cli', status: 'changed' }),
      { file: FILE },
    );
    await recordDeployRun(lockHost, deployRun('r2', [hostResult('h1', 'ok')], { trigger: 'webhook' }), { file: FILE });
    await recordDeployRun(
      lockHost,
      deployRun('r3', [], { trigger: 'rollback', status: 'failed', error: 'lock held' }),
      {
        file: FILE,
      },
    );
    const limits: number[] = [];
    const answer = await listHookDeploys(await queueWithJobs(1), {
      history: async (limit) => {
        limits.push(limit);
        return (await readDeployHistory(lockHost, { file: FILE, limit })).runs;
      },
    });
    expect(limits).toEqual([20]);
    expect(answer.count).toBe(1);
    expect(answer.jobs[0]).toMatchObject({ commit: sha(1), status: 'changed' });
    expect(answer.history?.map((run) => [run.id, run.trigger, run.status])).toEqual([
      ['r3', 'rollback', 'failed'],
      ['r2', 'webhook', 'ok'],
      ['r1', 'cli', 'changed'],
    ]);
    expect(answer.history?.[2]?.hosts).toEqual([{ host: 'h1', status: 'changed', aborted: false, durationMs: 1200 }]);
    expect(answer.history?.[0]?.error).toBe('lock held');
    expect(JSON.stringify(answer)).not.toContain('phases');
    expect(answer.historyError).toBeUndefined();
    // What the route answers is what its contract says.
    expect(deployHookRoutes.deploys.response.parse(answer)).toEqual(answer);
  });

  test('limit bounds the jobs and the history runs alike, each keeping the newest', async () => {
    const runs = ['r4', 'r3', 'r2', 'r1'].map((id) => deployRun(id));
    const answer = await listHookDeploys(await queueWithJobs(4), { limit: 2, history: async () => runs });
    expect(answer.jobs.map((job) => job.commit)).toEqual([sha(4), sha(3)]);
    expect(answer.count).toBe(2);
    expect(answer.history?.map((run) => run.id)).toEqual(['r4', 'r3']);
    expect(deployHookRoutes.deploys.query.parse({ limit: '2' })).toEqual({ limit: 2 });
    expect(deployHookRoutes.deploys.query.parse({})).toEqual({ limit: 20 });
    expect(deployHookRoutes.deploys.query.safeParse({ limit: '0' }).success).toBe(false);
  });

  test('a history that cannot be read leaves the jobs and says why in one line, without its stack or cause', async () => {
    const failure = new Error('connect ECONNREFUSED 10.0.0.9:22\n    at TCPConnectWrap', {
      cause: new Error('token=sk-hidden-1234'),
    });
    const answer = await listHookDeploys(await queueWithJobs(2), {
      history: async () => {
        throw failure;
      },
    });
    expect(answer.jobs).toHaveLength(2);
    expect(answer.history).toBeUndefined();
    expect(answer.historyError).toBe('connect ECONNREFUSED 10.0.0.9:22');
    expect(JSON.stringify(answer)).not.toContain('sk-hidden');
    expect(DeployHookDeploys.parse(answer)).toEqual(answer);
  });

  test('a history answering something that is not runs is a historyError naming the field, not a 500', async () => {
    const answer = await listHookDeploys(await queueWithJobs(0), {
      history: async () => [{ id: 'r1' }] as never,
    });
    expect(answer).toMatchObject({ jobs: [], count: 0 });
    expect(answer.history).toBeUndefined();
    expect(answer.historyError).toMatch(/trigger/);
  });

  test('without a history the answer is the jobs alone, as before', async () => {
    const answer = await listHookDeploys(await queueWithJobs(1));
    expect(Object.keys(answer).sort()).toEqual(['count', 'jobs']);
  });
});
