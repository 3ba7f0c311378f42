let lastMs = Number.NaN;
let lastIso = '';

/** Milliseconds since the epoch to the wire's ISO 8601 timestamp. */
export function toIso(ms: number): string {
  // The copies of a send, the messages of a batch and the facts of a page share their times:
  // convert each once.
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}
