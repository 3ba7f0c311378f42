// Shared by the benchmarks that leave child processes and temp directories (large databases)
// behind: their clean-up runs once, at the normal end, after an error, or on Ctrl-C or SIGTERM,
// which would skip a `finally`.
import { constants } from 'node:os';

/**
 * Returns `cleanUp()`: it runs `work` the first time it is called and returns the same promise every
 * time after. SIGINT and SIGTERM run it too, then exit with 128 + the signal's number (a second
 * signal exits at once); so does an uncaught error, printed first, with exit code 1.
 */
export function cleanUpOnExit(work) {
  let cleaning;
  const cleanUp = () => {
    cleaning ??= Promise.resolve().then(work);
    return cleaning;
  };
  let aborting = false;
  const abort = (code) => {
    aborting = true;
    cleanUp().finally(() => process.exit(code));
  };
  const onSignal = (signal) => {
    const code = 128 + constants.signals[signal];
    if (aborting) process.exit(code);
    abort(code);
  };
  // Listening (not `once`) until the exit: a listener that finds itself alone, as the PostgreSQL
  // harness's does, would kill the process before the clean-up is done.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, onSignal);
  process.on('uncaughtException', (error) => {
    // Once aborting, what fails is the run being torn down (its servers stopped under it): noise.
    if (aborting) return;
    console.error(error);
    abort(1);
  });
  return cleanUp;
}

/**
 * Stops a `startServer()` child unless it is missing or has exited already: Ctrl-C reaches the
 * children too, and their `stop()` would wait for an exit that has been and gone.
 */
export async function stopServer(server) {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  await server.stop();
}
