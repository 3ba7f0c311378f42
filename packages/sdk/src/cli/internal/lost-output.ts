/** Write errors that mean nobody reads any more: a terminal hung up (EIO), a pipe's reader gone (EPIPE). */
const LOST_OUTPUT = new Set(['EIO', 'EPIPE']);

const stdoutLost = new AbortController();
let installed = false;

/**
 * Keeps a write to stdout or stderr that nobody can read any more from ending the process, from
 * now until it exits: `fleet-bus tail | head -1` once head is gone, a server started as
 * `fleet-bus server | true`, `fleet up` once its terminal is closed. An unhandled stream error
 * would end the process with a stack trace (a server mid-request, `fleet up` before its databases
 * are closed). What is written then is lost; other stream errors are thrown as before. Idempotent.
 */
export function ignoreLostOutput(): void {
  if (installed) return;
  installed = true;
  // Stays until the process exits: the error of the last line written is emitted after the command returned.
  const onError = (stream: 'stdout' | 'stderr') => (error: NodeJS.ErrnoException) => {
    if (!LOST_OUTPUT.has(error.code ?? '')) throw error;
    if (stream === 'stdout') stdoutLost.abort();
  };
  process.stdout.on('error', onError('stdout'));
  process.stderr.on('error', onError('stderr'));
}

/**
 * Aborts once a write to stdout failed because nobody reads it any more (EPIPE, EIO), which is
 * noticed only on a write: for a command whose only job is printing, a reason to stop.
 */
export function stdoutLostSignal(): AbortSignal {
  ignoreLostOutput();
  return stdoutLost.signal;
}
