import { describe, expect, test } from 'vitest';
import { type DeployJob, type DeployJobOutcome, DeployQueue } from '../../src/deploy-hook/deploy-queue.ts';

/** A deploy function the test finishes by hand: each call waits until `finish(outcome)`. */
function controlledDeploy() {
  const started: DeployJob[] = [];
  const waiting: Array<(outcome: DeployJobOutcome | Error) => void> = [];
  const arrivals: Array<() => void> = [];
  const deploy = (job: DeployJob) => {
    started.push(job);
    for (const arrived of arrivals.splice(0)) arrived();
    return new Promise<DeployJobOutcome>((resolve, reject) => {
      waiting.push((outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)));
    });
  };
  return {
    deploy,
    started,
    /** Resolves once `count` deploys have started. */
    async startedCount(count: number) {
      while (started.length < count) await new Promise<void>((resolve) => arrivals.push(resolve));
    },
    /** Finishes the oldest running deploy. */
    finish(outcome: DeployJobOutcome | Error = { status: 'ok' }) {
      const next = waiting.shift();
      if (!next) throw new Error('no deploy is running');
      next(outcome);
    },
  };
}

const sha = (n: number) => n.toString(16).padStart(40, '0');

describe('DeployQueue', () => {
  test('a burst of pushes during a running deploy collapses into one follow-up deploy of the newest commit', async () => {
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy });
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1' })).toEqual({ accepted: true });
    await control.startedCount(1);
    for (let n = 2; n <= 6; n++) expect(queue.offer({ commit: sha(n), deliveryId: `d${n}` }).accepted).toBe(true);
    control.finish();
    await control.startedCount(2);
    control.finish();
    await queue.idle();
    expect(control.started.map((job) => job.commit)).toEqual([sha(1), sha(6)]);
    expect(queue.jobs().map((job) => [job.commit, job.status])).toEqual([
      [sha(6), 'ok'],
      [sha(5), 'superseded'],
      [sha(4), 'superseded'],
      [sha(3), 'superseded'],
      [sha(2), 'superseded'],
      [sha(1), 'ok'],
    ]);
  });

  test('a replayed delivery id and a commit already deployed, running or queued are ignored', async () => {
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy });
    queue.offer({ commit: sha(1), deliveryId: 'd1' });
    await control.startedCount(1);
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1' })).toEqual({
      accepted: false,
      reason: 'delivery already handled (deploy running)',
    });
    expect(queue.offer({ commit: sha(1), deliveryId: 'd2' })).toEqual({
      accepted: false,
      reason: 'commit is being deployed',
    });
    queue.offer({ commit: sha(2), deliveryId: 'd3' });
    expect(queue.offer({ commit: sha(2), deliveryId: 'd4' })).toEqual({
      accepted: false,
      reason: 'commit is already queued',
    });
    control.finish({ status: 'changed' });
    await control.startedCount(2);
    control.finish();
    await queue.idle();
    expect(queue.offer({ commit: sha(1), deliveryId: 'd5' })).toEqual({
      accepted: false,
      reason: 'commit already deployed',
    });
    expect(queue.offer({ commit: sha(9), deliveryId: 'd3' })).toEqual({
      accepted: false,
      reason: 'delivery already handled (deploy ok)',
    });
    expect(control.started.map((job) => job.deliveryId)).toEqual(['d1', 'd3']);
  });

  test('a redelivery of a delivery whose deploy failed (or threw) runs again', async () => {
    const control = controlledDeploy();
    const errors: unknown[] = [];
    const queue = new DeployQueue({ deploy: control.deploy, onError: (error) => errors.push(error) });
    queue.offer({ commit: sha(1), deliveryId: 'd1' });
    await control.startedCount(1);
    control.finish({ status: 'failed' });
    await queue.idle();
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1' })).toEqual({ accepted: true });
    await control.startedCount(2);
    control.finish(new Error('ssh: connection refused'));
    await queue.idle();
    expect(queue.jobs(1)[0]).toMatchObject({ status: 'failed', error: 'ssh: connection refused' });
    expect(errors).toHaveLength(1);
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1' })).toEqual({ accepted: true });
    await control.startedCount(3);
    control.finish();
    await queue.idle();
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1' }).accepted).toBe(false);
    expect(control.started.map((job) => job.deliveryId)).toEqual(['d1', 'd1', 'd1']);
  });

  test('the remembered deliveries, commits and jobs are bounded by `remember`', async () => {
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy, remember: 2 });
    for (let n = 1; n <= 3; n++) {
      queue.offer({ commit: sha(n), deliveryId: `d${n}` });
      await control.startedCount(n);
      control.finish();
      await queue.idle();
    }
    expect(queue.jobs().map((job) => job.commit)).toEqual([sha(3), sha(2)]);
    // The oldest delivery and commit were forgotten, so they deploy again.
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1' })).toEqual({ accepted: true });
    expect(queue.offer({ commit: sha(3), deliveryId: 'd3' }).accepted).toBe(false);
    await control.startedCount(4);
    control.finish();
    await queue.close();
  });

  test('after close() nothing more is accepted', async () => {
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy });
    await queue.close();
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1' })).toEqual({
      accepted: false,
      reason: 'the webhook is shutting down',
    });
    expect(control.started).toEqual([]);
  });
});
