import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { reportMissing } from '@fleet/test-utils/system-deps';
import { afterEach, describe, expect, test } from 'vitest';
import { type DeployJob, type DeployJobOutcome, DeployQueue } from '../../src/deploy-hook/deploy-queue.ts';

/** A state file system of 16 KiB: room for a small state file, full once `fill()` wrote its filler. */
interface SmallDisk {
  stateFile: string;
  /** Fills the file system up: every write that needs a new block fails with ENOSPC. */
  fill(): void;
  /** Frees the space again. */
  free(): void;
}

const mounted: string[] = [];

/** Mounts a 16 KiB tmpfs (root only); undefined, with a loud message, when this machine cannot. */
function mountSmallDisk(): SmallDisk | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-deploy-hook-full-'));
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir], { encoding: 'utf8' });
  if (mount.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    const why = mount.stderr?.trim() || mount.error?.message || `exit ${mount.status}`;
    reportMissing(`a full disk needs a small tmpfs mounted (root): ${why}`);
    return undefined;
  }
  mounted.push(dir);
  const filler = join(dir, 'filler');
  return {
    stateFile: join(dir, 'state.json'),
    fill() {
      try {
        writeFileSync(filler, Buffer.alloc(64 * 1024));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
  };
}

function unmountAll(): void {
  for (const dir of mounted.splice(0)) {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}
afterEach(unmountAll);

/**
 * Awaits `promise`, watched from another thread: an await loop that never yields to the event loop
 * starves every timer of this one, so after `ms` the watchdog kills this test process, which fails
 * the file rather than hanging the run (unmounting the small disks first).
 */
async function withinOrKilled<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const watchdog = new Worker(
    `const { workerData } = require('node:worker_threads');
     setTimeout(() => {
       process.stderr.write('\\n' + workerData.what + ' did not return within ' + workerData.ms + ' ms: killing the test process\\n');
       for (const dir of workerData.mounted) {
         require('node:child_process').spawnSync('umount', ['-l', dir]);
         require('node:fs').rmSync(dir, { recursive: true, force: true });
       }
       process.kill(workerData.pid, 'SIGKILL');
     }, workerData.ms);`,
    { eval: true, workerData: { ms, what, pid: process.pid, mounted } },
  );
  try {
    return await promise;
  } finally {
    await watchdog.terminate();
  }
}

/** A deploy function the test finishes by hand. */
function controlledDeploy() {
  const started: DeployJob[] = [];
  const waiting: Array<(outcome: DeployJobOutcome) => void> = [];
  return {
    started,
    deploy: (job: DeployJob) => {
      started.push(job);
      return new Promise<DeployJobOutcome>((resolve) => waiting.push(resolve));
    },
    /** Resolves once `count` deploys have started (failing after a second). */
    async startedCount(count: number) {
      for (let waited = 0; started.length < count; waited++) {
        if (waited === 100) throw new Error(`${started.length} deploys started, not ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    /** Finishes the oldest running deploy, once one runs (failing after a second without one). */
    async finish(outcome: DeployJobOutcome = { status: 'ok' }) {
      for (let waited = 0; waiting.length === 0; waited++) {
        if (waited === 100) throw new Error('no deploy started');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      waiting.shift()?.(outcome);
    },
  };
}

const sha = (n: number) => n.toString(16).padStart(40, '0');
const body = (n: number) => n.toString(16).padStart(64, 'b');
const canMount = (() => {
  const disk = mountSmallDisk();
  unmountAll();
  return disk !== undefined;
})();

describe.skipIf(!canMount)('DeployQueue on a full disk', () => {
  test('a delivery whose state cannot be saved is not accepted: nothing of it stays, and its redelivery deploys once there is space', async () => {
    const disk = mountSmallDisk() as SmallDisk;
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy, stateFile: disk.stateFile });
    disk.fill();
    expect(() => queue.offer({ commit: sha(1), deliveryId: 'd1' }, body(1))).toThrow(/ENOSPC/);
    expect(queue.jobs()).toEqual([]);
    disk.free();
    // The forge redelivers the same id and body.
    expect(queue.offer({ commit: sha(1), deliveryId: 'd1' }, body(1))).toEqual({ accepted: true });
    await control.finish();
    await queue.close();
    expect(control.started.map((job) => job.deliveryId)).toEqual(['d1']);
    expect(queue.jobs().map((job) => [job.commit, job.status])).toEqual([[sha(1), 'ok']]);
    const saved = JSON.parse(readFileSync(disk.stateFile, 'utf8'));
    expect(saved.jobs.map((job: { deliveries: string[]; bodies?: string[] }) => [job.deliveries, job.bodies])).toEqual([
      [['d1'], [body(1)]],
    ]);
  });

  test('a delivery not saved while a deploy runs leaves the queued one as it was', async () => {
    const disk = mountSmallDisk() as SmallDisk;
    const control = controlledDeploy();
    const queue = new DeployQueue({ deploy: control.deploy, stateFile: disk.stateFile });
    queue.offer({ commit: sha(1), deliveryId: 'd1' });
    await control.startedCount(1);
    queue.offer({ commit: sha(2), deliveryId: 'd2' });
    disk.fill();
    expect(() => queue.offer({ commit: sha(3), deliveryId: 'd3' })).toThrow(/ENOSPC/);
    expect(() => queue.offer({ commit: sha(2), deliveryId: 'd2-again' })).toThrow(/ENOSPC/);
    expect(queue.jobs().map((job) => [job.commit, job.status])).toEqual([
      [sha(2), 'queued'],
      [sha(1), 'running'],
    ]);
    disk.free();
    await control.finish();
    await control.finish();
    await queue.close();
    expect(control.started.map((job) => job.commit)).toEqual([sha(1), sha(2)]);
  });

  test('close() returns after a delivery could not be saved', async () => {
    const disk = mountSmallDisk() as SmallDisk;
    const queue = new DeployQueue({ deploy: async () => ({ status: 'ok' }), stateFile: disk.stateFile });
    disk.fill();
    expect(() => queue.offer({ commit: sha(1), deliveryId: 'd1' })).toThrow(/ENOSPC/);
    await withinOrKilled(queue.close(), 5000, 'close()');
  });

  test('a deploy whose start and end cannot be saved still runs, the next one too, and close() returns', async () => {
    const disk = mountSmallDisk() as SmallDisk;
    const control = controlledDeploy();
    const errors: unknown[] = [];
    const queue = new DeployQueue({
      deploy: control.deploy,
      stateFile: disk.stateFile,
      onError: (error) => errors.push(error),
    });
    queue.offer({ commit: sha(1), deliveryId: 'd1' });
    await control.startedCount(1);
    queue.offer({ commit: sha(2), deliveryId: 'd2' });
    // The end of the first deploy and the start of the second cannot be saved.
    disk.fill();
    await control.finish();
    await control.finish();
    await queue.close();
    expect(control.started.map((job) => job.commit)).toEqual([sha(1), sha(2)]);
    expect(queue.jobs().map((job) => job.status)).toEqual(['ok', 'ok']);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => (error as NodeJS.ErrnoException).code === 'ENOSPC')).toBe(true);
  });

  test('after a restart, a deploy whose start was never saved leaves the deployed commit unknown', async () => {
    const disk = mountSmallDisk() as SmallDisk;
    const first = controlledDeploy();
    const before = new DeployQueue({ deploy: first.deploy, stateFile: disk.stateFile });
    before.offer({ commit: sha(1), deliveryId: 'd1' });
    await first.finish();
    await before.idle();
    before.offer({ commit: sha(2), deliveryId: 'd2' });
    // The disk fills before the deploy of sha(2) starts: the file keeps it queued, sha(1) deployed.
    disk.fill();
    await first.finish();
    await before.close();
    disk.free();
    // The hook restarts: the hosts are on sha(2), so a push back to sha(1) must deploy.
    const second = controlledDeploy();
    const after = new DeployQueue({ deploy: second.deploy, stateFile: disk.stateFile });
    expect(after.jobs()[0]).toMatchObject({ commit: sha(2), status: 'aborted' });
    expect(after.offer({ commit: sha(1), deliveryId: 'd3' })).toEqual({ accepted: true });
    await second.finish();
    await after.close();
  });

  test('a state file write that fails leaves no temporary file behind', () => {
    const disk = mountSmallDisk() as SmallDisk;
    const queue = new DeployQueue({ deploy: async () => ({ status: 'ok' }), stateFile: disk.stateFile });
    disk.fill();
    expect(() => queue.offer({ commit: sha(1), deliveryId: 'd1' })).toThrow(/ENOSPC/);
    expect(readdirSync(join(disk.stateFile, '..')).sort()).toEqual(['filler', 'state.json']);
  });
});
