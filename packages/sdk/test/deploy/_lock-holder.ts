// A deployer in a child process (bundled by _lock-child.ts): takes the lock on a LocalExecutor
// root, installs releaseOnSignals, prints one JSON line and holds it until a signal ends it.
// argv: root dir ttlMs runId waitMs
import { LocalExecutor } from '../../src/deploy/local-executor.ts';
import { acquireDeployLock } from '../../src/deploy/lock/acquire-deploy-lock.ts';
import { isDeployLockError } from '../../src/deploy/lock/deploy-lock-error.ts';
import { releaseOnSignals } from '../../src/deploy/lock/release-on-signals.ts';

const [root, dir, ttl, runId, wait] = process.argv.slice(2) as [string, string, string, string, string];
const executor = new LocalExecutor({ root });
try {
  const lock = await acquireDeployLock(executor, {
    dir,
    owner: { runId, message: 'child' },
    ttlMs: Number(ttl),
    heartbeatMs: Math.floor(Number(ttl) / 4),
    waitMs: Number(wait),
    pollMs: 100,
  });
  releaseOnSignals(lock);
  const tookOver = lock.tookOver?.owner?.runId ?? null;
  process.stdout.write(`${JSON.stringify({ event: 'locked', runId, pid: process.pid, tookOver })}\n`);
  setInterval(() => {}, 60_000);
} catch (error) {
  const code = isDeployLockError(error) ? error.code : 'other';
  process.stdout.write(`${JSON.stringify({ event: 'refused', runId, code, message: (error as Error).message })}\n`);
  process.exitCode = 3;
}
