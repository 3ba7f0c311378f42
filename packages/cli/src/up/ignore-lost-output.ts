/** Write errors that mean nobody reads any more: a terminal hung up (EIO), a pipe's reader gone (EPIPE). */
const LOST_OUTPUT = new Set(['EIO', 'EPIPE']);

let installed = false;

/**
 * Keeps a write to stdout or stderr that nobody can read any more from ending the process, from
 * now until it exits: once the terminal `fleet up` runs in is closed, its lines ("stopping the
 * fleet…") fail with EIO, and an unhandled stream error would end it before the databases are
 * closed. What it writes then is lost; other stream errors are thrown as before. Idempotent.
 */
export function ignoreLostOutput(): void {
  if (installed) return;
  installed = true;
  // Stays until the process exits: the error of the last line written is emitted after the command returned.
  const onError = (error: NodeJS.ErrnoException) => {
    if (!LOST_OUTPUT.has(error.code ?? '')) throw error;
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}
