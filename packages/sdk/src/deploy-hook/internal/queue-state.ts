import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { DeployHookJob } from '../schemas.ts';

/**
 * What the queue keeps across restarts: its jobs (with every delivery each handled and the digests
 * of the bodies it handled that are still remembered; older hooks kept none) and the deployed commit.
 */
const QueueState = z.object({
  version: z.literal(1),
  jobs: z.array(
    DeployHookJob.extend({
      deliveries: z.array(z.string()),
      bodies: z.array(z.string().regex(/^[0-9a-f]{64}$/)).optional(),
    }),
  ),
  /** The commit the last deploy left the hosts on, if it succeeded; older hooks listed several, newest last. */
  deployed: z.array(z.string()),
});
export type QueueState = z.infer<typeof QueueState>;

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

/** Writes a state file atomically (a temporary file renamed over it), readable by its owner only. */
export function writeQueueState(file: string, state: QueueState): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}
