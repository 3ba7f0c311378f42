// A deployer in a child process (bundled by _lock-child.ts): takes the lock on a LocalExecutor
// root, installs releaseOnSignals, prints one JSON line, then, as a run would, works under the lock
// until lock.signal stops it and releases it in `finally`.
// argv: root dir ttlMs runId waitMs [mode]
// mode `hold` (default) only waits; `run` runs a plan under lock.signal, as `fleet deploy run`
// does: another SIGINT/SIGTERM listener first, a step that notifies a handler, then a long one.

import { shellQuote } from '../../src/deploy/internal/shell-quote.ts';
import { LocalExecutor } from '../../src/deploy/local-executor.ts';
import { acquireDeployLock } from '../../src/deploy/lock/acquire-deploy-lock.ts';
import { isDeployLockError } from '../../src/deploy/lock/deploy-lock-error.ts';
import { releaseOnSignals } from '../../src/deploy/lock/release-on-signals.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { commandStep } from '../../src/deploy/steps/command.ts';

const [root, dir, ttl, runId, wait, mode = 'hold'] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  ('hold' | 'run')?,
];
const print = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const executor = new LocalExecutor({ root });
if (mode === 'run') {
  // The CLI's own handler (untilSignal): the process ends when the run does, not at the signal.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => print({ event: 'signal', signal }));
}
try {
  const lock = await acquireDeployLock(executor, {
    dir,
    owner: { runId, message: 'child' },
    ttlMs: Number(ttl),
    heartbeatMs: Math.floor(Number(ttl) / 4),
    waitMs: Number(wait),
    pollMs: 100,
  });
  const stop = releaseOnSignals(lock);
  const tookOver = lock.tookOver?.owner?.runId ?? null;
  print({ event: 'locked', runId, pid: process.pid, tookOver });
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    if (mode === 'run') {
      // The handler checks, after a while, that the lock is still there: it runs after the signal.
      const plan = {
        phases: [
          {
            name: 'work',
            steps: [
              commandStep({ command: 'true', name: 'change', notify: ['restart'] }),
              commandStep({ command: 'sleep 20', name: 'long step' }),
            ],
          },
        ],
        handlers: {
          restart: commandStep({
            command: `sleep 0.5 && test -d ${shellQuote(executor.hostPath(dir))}`,
            name: 'restart',
          }),
        },
      };
      const result = await runPlan(plan, {
        executor,
        mode: 'apply',
        signal: lock.signal,
        onEvent: (event) => {
          if (event.type === 'step_started') print({ event: 'step', step: event.step });
        },
      });
      const [phase] = result.phases;
      print({
        event: 'finished',
        steps: phase?.steps.map((step) => `${step.step}: ${step.status}`),
        handlers: phase?.handlers.map((handler) => `${handler.handler}: ${handler.status}`),
      });
    } else {
      await new Promise((resolve) => lock.signal.addEventListener('abort', resolve, { once: true }));
    }
  } finally {
    clearInterval(keepAlive);
    await lock.release();
    stop();
  }
} catch (error) {
  const code = isDeployLockError(error) ? error.code : 'other';
  print({ event: 'refused', runId, code, message: (error as Error).message });
  process.exitCode = 3;
}
