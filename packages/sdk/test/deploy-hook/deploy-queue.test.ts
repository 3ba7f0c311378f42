import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
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
/** A stand-in for the SHA-256 of a delivery's body. */
const body = (n: number) => n.toString(16).padStart(64, 'b');

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

  test('a replayed delivery id and the commit last deployed, running or queued are ignored', async () => {
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
    expect(queue.offer({ commit: sha(2), deliveryId: 'd5' })).toEqual({
      accepted: false,
      reason: 'commit already deployed',
    });
    expect(queue.offer({ commit: sha(9), deliveryId: 'd3' })).toEqual({
      accepted: false,
      reason: 'delivery already handled (deploy ok)',
    });
    expect(control.started.map((job) => job.deliveryId)).toEqual(['d1', 'd3']);
  });

  test('a force-push back to a commit deployed before deploys it again (a rollback)', async () => {
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy });
    for (const [n, commit] of [sha(1), sha(2), sha(1)].entries()) {
      expect(queue.offer({ commit, deliveryId: `d${n}` })).toEqual({ accepted: true });
      await control.startedCount(n + 1);
      control.finish({ status: 'changed' });
      await queue.idle();
    }
    expect(queue.offer({ commit: sha(1), deliveryId: 'd9' })).toEqual({
      accepted: false,
      reason: 'commit already deployed',
    });
    expect(control.started.map((job) => job.commit)).toEqual([sha(1), sha(2), sha(1)]);
  });

  test('after a failed deploy, a push of the commit deployed before it deploys again', async () => {
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy });
    queue.offer({ commit: sha(1), deliveryId: 'd1' });
    await control.startedCount(1);
    control.finish();
    await queue.idle();
    queue.offer({ commit: sha(2), deliveryId: 'd2' });
    await control.startedCount(2);
    control.finish({ status: 'failed' });
    await queue.idle();
    // The failed deploy may have left hosts on sha(2): going back to sha(1) is a deploy.
    expect(queue.offer({ commit: sha(1), deliveryId: 'd3' })).toEqual({ accepted: true });
    await control.startedCount(3);
    control.finish();
    await queue.close();
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

  test('a body already handled is ignored under any delivery id, unless its deploy failed', async () => {
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy });
    queue.offer({ commit: sha(1), deliveryId: 'd1' }, body(1));
    await control.startedCount(1);
    control.finish({ status: 'failed' });
    await queue.idle();
    // A failed deploy's body runs again, whatever its id says.
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1-again' }, body(1))).toEqual({ accepted: true });
    await control.startedCount(2);
    control.finish();
    await queue.idle();
    queue.offer({ commit: sha(2), deliveryId: 'd2' }, body(2));
    await control.startedCount(3);
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1-replayed' }, body(1))).toEqual({
      accepted: false,
      reason: 'delivery already handled under another id (deploy ok)',
    });
    expect(queue.offer({ commit: sha(2), deliveryId: 'd2-replayed' }, body(2))).toEqual({
      accepted: false,
      reason: 'delivery already handled under another id (deploy running)',
    });
    control.finish();
    await queue.close();
    expect(control.started.map((job) => job.deliveryId)).toEqual(['d1', 'd1-again', 'd2']);
  });

  test('a failed delivery does not run again once a later deploy succeeded: neither redelivered nor replayed', async () => {
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy });
    queue.offer({ commit: sha(1), deliveryId: 'd1' }, body(1));
    await control.startedCount(1);
    control.finish({ status: 'failed' });
    await queue.idle();
    queue.offer({ commit: sha(2), deliveryId: 'd2' }, body(2));
    await control.startedCount(2);
    control.finish();
    await queue.idle();
    // Running it now would put the older commit back.
    const reason = 'deploy failed, and a later deploy succeeded';
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1' }, body(1))).toEqual({
      accepted: false,
      reason: `delivery already handled (${reason})`,
    });
    expect(queue.offer({ commit: sha(1), deliveryId: 'attacker-new-id' }, body(1))).toEqual({
      accepted: false,
      reason: `delivery already handled under another id (${reason})`,
    });
    expect(control.started.map((job) => job.commit)).toEqual([sha(1), sha(2)]);
  });

  test('a body digest that is not the hex SHA-256 the state file keeps is refused', () => {
    const queue = new DeployQueue({ deploy: controlledDeploy().deploy });
    expect(() => queue.offer({ commit: sha(1), deliveryId: 'd1' }, 'ABCDEF')).toThrow(TypeError);
    expect(queue.jobs()).toEqual([]);
  });

  test('a body ignored as the commit already deployed is remembered: its replay after a later deploy is ignored', async () => {
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy });
    queue.offer({ commit: sha(1), deliveryId: 'd1' }, body(1));
    await control.startedCount(1);
    control.finish();
    await queue.idle();
    expect(queue.offer({ commit: sha(1), deliveryId: 'd2' }, body(2)).reason).toBe('commit already deployed');
    queue.offer({ commit: sha(3), deliveryId: 'd3' }, body(3));
    await control.startedCount(2);
    control.finish();
    await queue.idle();
    expect(queue.offer({ commit: sha(1), deliveryId: 'd2-replayed' }, body(2))).toEqual({
      accepted: false,
      reason: 'delivery already handled under another id (deploy ok)',
    });
    expect(control.started.map((job) => job.commit)).toEqual([sha(1), sha(3)]);
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
    // The oldest delivery was forgotten, so it deploys again.
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1' })).toEqual({ accepted: true });
    expect(queue.offer({ commit: sha(3), deliveryId: 'd3' }).accepted).toBe(false);
    await control.startedCount(4);
    control.finish();
    await queue.close();
  });

  test('the remembered bodies are bounded by `remember` too', async () => {
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy, remember: 2 });
    for (let n = 1; n <= 3; n++) {
      queue.offer({ commit: sha(n), deliveryId: `d${n}` }, body(n));
      await control.startedCount(n);
      control.finish();
      await queue.idle();
    }
    // The oldest body was forgotten, so it deploys again under a new id; the newest is still known.
    expect(queue.offer({ commit: sha(3), deliveryId: 'd9' }, body(3)).accepted).toBe(false);
    expect(queue.offer({ commit: sha(1), deliveryId: 'd8' }, body(1))).toEqual({ accepted: true });
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

describe('DeployQueue with a state file', () => {
  const files: string[] = [];
  afterAll(() => {
    for (const dir of files) rmSync(dir, { recursive: true, force: true });
  });
  function stateFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-deploy-hook-'));
    files.push(dir);
    return join(dir, 'state.json');
  }

  test('a restart keeps the handled deliveries and the deployed commit; a failed delivery still runs again', async () => {
    const file = stateFile();
    const first = controlledDeploy();
    const before = new DeployQueue({ deploy: first.deploy, stateFile: file });
    before.offer({ commit: sha(1), deliveryId: 'd1' });
    await first.startedCount(1);
    first.finish({ status: 'changed' });
    await before.idle();
    before.offer({ commit: sha(2), deliveryId: 'd2' });
    await first.startedCount(2);
    first.finish({ status: 'failed' });
    await before.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = controlledDeploy();
    const after = new DeployQueue({ deploy: second.deploy, stateFile: file });
    expect(after.jobs().map((job) => [job.commit, job.status])).toEqual([
      [sha(2), 'failed'],
      [sha(1), 'changed'],
    ]);
    expect(after.offer({ commit: sha(9), deliveryId: 'd1' }).reason).toBe('delivery already handled (deploy changed)');
    expect(after.offer({ commit: sha(2), deliveryId: 'd2' })).toEqual({ accepted: true });
    await second.startedCount(1);
    second.finish();
    await after.close();
  });

  test('a restart keeps the handled bodies: a replay under a new id is still ignored', async () => {
    const file = stateFile();
    const first = controlledDeploy();
    const before = new DeployQueue({ deploy: first.deploy, stateFile: file });
    for (const n of [1, 2]) {
      before.offer({ commit: sha(n), deliveryId: `d${n}` }, body(n));
      await first.startedCount(n);
      first.finish({ status: n === 1 ? 'changed' : 'failed' });
      await before.idle();
    }
    await before.close();
    const second = controlledDeploy();
    const after = new DeployQueue({ deploy: second.deploy, stateFile: file });
    expect(after.jobs()[1]).toEqual(before.jobs()[1]);
    expect(after.offer({ commit: sha(1), deliveryId: 'd1-replayed' }, body(1)).reason).toBe(
      'delivery already handled under another id (deploy changed)',
    );
    // The failed deploy's body still runs again.
    expect(after.offer({ commit: sha(2), deliveryId: 'd2-again' }, body(2))).toEqual({ accepted: true });
    await second.startedCount(1);
    second.finish();
    await after.close();
  });

  test('after a restart, a push back to a commit deployed before the last one deploys it again', async () => {
    const file = stateFile();
    const first = controlledDeploy();
    const before = new DeployQueue({ deploy: first.deploy, stateFile: file });
    for (const [n, commit] of [sha(1), sha(2)].entries()) {
      before.offer({ commit, deliveryId: `d${n}` });
      await first.startedCount(n + 1);
      first.finish({ status: 'changed' });
      await before.idle();
    }
    await before.close();
    const second = controlledDeploy();
    const after = new DeployQueue({ deploy: second.deploy, stateFile: file });
    expect(after.offer({ commit: sha(2), deliveryId: 'd7' }).reason).toBe('commit already deployed');
    expect(after.offer({ commit: sha(1), deliveryId: 'd8' })).toEqual({ accepted: true });
    await second.startedCount(1);
    second.finish();
    await after.close();
  });

  test('a state file that lists several deployed commits (an older hook wrote it) counts only the last one', async () => {
    const file = stateFile();
    writeFileSync(file, JSON.stringify({ version: 1, jobs: [], deployed: [sha(1), sha(2)] }));
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy, stateFile: file });
    expect(queue.offer({ commit: sha(2), deliveryId: 'd1' }).reason).toBe('commit already deployed');
    expect(queue.offer({ commit: sha(1), deliveryId: 'd2' })).toEqual({ accepted: true });
    await control.startedCount(1);
    control.finish();
    await queue.close();
  });

  test('after a restart interrupted a deploy, a push of the commit deployed before it deploys again', async () => {
    const file = stateFile();
    const first = controlledDeploy();
    const interrupted = new DeployQueue({ deploy: first.deploy, stateFile: file });
    interrupted.offer({ commit: sha(1), deliveryId: 'd1' });
    await first.startedCount(1);
    first.finish();
    await interrupted.idle();
    interrupted.offer({ commit: sha(2), deliveryId: 'd2' });
    await first.startedCount(2);
    // The process "dies" during the deploy of sha(2): the hosts may run either commit.
    const second = controlledDeploy();
    const restarted = new DeployQueue({ deploy: second.deploy, stateFile: file });
    expect(restarted.offer({ commit: sha(1), deliveryId: 'd3' })).toEqual({ accepted: true });
    await second.startedCount(1);
    second.finish();
    await restarted.close();
  });

  test('a deploy a restart interrupted counts as aborted, so its redelivery runs again', async () => {
    const file = stateFile();
    const first = controlledDeploy();
    const interrupted = new DeployQueue({ deploy: first.deploy, stateFile: file });
    interrupted.offer({ commit: sha(5), deliveryId: 'd5' });
    await first.startedCount(1);
    // The process "dies" here: the deploy never finishes and the queue is dropped.
    const second = controlledDeploy();
    const restarted = new DeployQueue({ deploy: second.deploy, stateFile: file });
    expect(restarted.jobs()[0]).toMatchObject({
      commit: sha(5),
      status: 'aborted',
      error: 'interrupted by a restart of the webhook',
    });
    expect(restarted.offer({ commit: sha(5), deliveryId: 'd5' })).toEqual({ accepted: true });
    await second.startedCount(1);
    second.finish();
    await restarted.close();
  });

  test('a delivery whose state cannot be written changes nothing, so its redelivery is handled as new', async () => {
    const file = stateFile();
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy, stateFile: file });
    // The state directory becomes a regular file: the write fails with ENOTDIR, also for root.
    const dir = join(file, '..');
    rmSync(dir, { recursive: true });
    writeFileSync(dir, '');
    expect(() => queue.offer({ commit: sha(1), deliveryId: 'd1' }, body(1))).toThrow(/ENOTDIR/);
    expect(queue.jobs()).toEqual([]);
    rmSync(dir);
    mkdirSync(dir);
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1' }, body(1))).toEqual({ accepted: true });
    await control.startedCount(1);
    control.finish();
    await queue.close();
    expect(queue.jobs().map((job) => [job.deliveryId, job.status])).toEqual([['d1', 'ok']]);
  });

  test('a file that is not a state file is refused, naming it', () => {
    const file = stateFile();
    writeFileSync(file, '{"jobs": "nope"}');
    expect(() => new DeployQueue({ deploy: async () => ({ status: 'ok' }), stateFile: file })).toThrow(
      `${file} is not a deploy hook state file: move it away to start afresh`,
    );
  });
});
