import { setTimeout as sleep } from 'node:timers/promises';

// How soon to look again for a command's processes that did not exist yet.
const RETRY_MS = 100;

/**
 * Stops an aborted command on the host. `stop` signals its `timeout` process (which passes the
 * signal to the command's process group and SIGKILLs it after the grace) and says whether it found
 * one: right after the exec request the host may not have started it yet, so this tries again until
 * one is found or `running` (the run's channel) is over.
 */
export async function stopRemote(stop: () => Promise<boolean>, running: Promise<unknown>): Promise<void> {
  let over = false;
  const settled = running.then(
    () => {
      over = true;
    },
    () => {
      over = true;
    },
  );
  while (!over) {
    if (await stop().catch(() => false)) return;
    await Promise.race([sleep(RETRY_MS), settled]);
  }
}
