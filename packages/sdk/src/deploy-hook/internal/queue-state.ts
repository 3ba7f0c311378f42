import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { DeployHookJob } from '../schemas.ts';

/** A body digest as the webhook makes it and the state file keeps it: the hex SHA-256 of the raw body. */
export const BODY_DIGEST = /^[0-9a-f]{64}$/;

/**
 * What the queue keeps across restarts: its jobs (with every delivery each handled and the digests
 * of the bodies it handled that are still remembered; older hooks kept none) and the deployed commit.
 */
const QueueState = z.object({
  version: z.literal(1),
  jobs: z.array(
    DeployHookJob.extend({
      deliveries: z.array(z.string()),
      bodies: z.array(z.string().regex(BODY_DIGEST)).optional(),
    }),
  ),
  /** The commit the last deploy left the hosts on, if it succeeded; older hooks listed several, newest last. */
  deployed: z.array(z.string()),
});
export type QueueState = z.infer<typeof QueueState>;

/** A job as the queue holds it: its record, with every delivery it handled. */
export interface QueuedJob extends DeployHookJob {
  readonly deliveries: string[];
}

/**
 * The state file's content: the jobs, each with the digests of the bodies it handled that are still
 * remembered (`bodies`: digest -> the job that handled it), and the deployed commit.
 */
export function queueStateOf(
  jobs: readonly QueuedJob[],
  bodies: ReadonlyMap<string, QueuedJob>,
  deployed: string | undefined,
): QueueState {
  const digestsOf = new Map<QueuedJob, string[]>();
  for (const [digest, job] of bodies) {
    const digests = digestsOf.get(job);
    if (digests) digests.push(digest);
    else digestsOf.set(job, [digest]);
  }
  return {
    version: 1,
    jobs: jobs.map((job) => {
      const digests = digestsOf.get(job);
      return { ...job, deliveries: [...job.deliveries], ...(digests === undefined ? {} : { bodies: digests }) };
    }),
    deployed: deployed === undefined ? [] : [deployed],
  };
}

/** Reads a state file; undefined when there is none. Throws naming the file when it is not one. */
export function readQueueState(file: string): QueueState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = QueueState.safeParse(json);
  if (!parsed.success) throw new Error(`${file} is not a deploy hook state file: move it away to start afresh`);
  return parsed.data;
}

/**
 * Writes a state file atomically and durably, readable by its owner only: a temporary file, synced
 * to disk, renamed over it, and the directory synced, so that after a power loss the file is the
 * old state or the new one, never empty (which would keep the hook from starting). A write that
 * throws removes its temporary file and leaves the file as it was.
 */
export function writeQueueState(file: string, state: QueueState): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeFileSync(fd, `${JSON.stringify(state)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    // A write that failed (disk full, read-only) leaves no partial temporary file behind; the
    // write's error is the one to tell.
    try {
      rmSync(temp, { force: true });
    } catch {}
    throw error;
  }
  syncDirectory(dirname(file));
}

/** Makes a rename in `directory` durable; a file system that refuses to sync a directory is no error here. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here: the rename stays as durable as the file system makes it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
