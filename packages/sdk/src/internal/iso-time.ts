const DAY_MS = 86_400_000;

let lastMs = Number.NaN;
let lastIso = '';
/** The first millisecond of the day `dayPrefix` names (`YYYY-MM-DDT`), or NaN before any. */
let dayStart = Number.NaN;
let dayPrefix = '';

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** Milliseconds since the epoch to the wire's ISO 8601 timestamp (`Date#toISOString`). */
export function toIso(ms: number): string {
  // The copies of a send, the messages of a batch and the facts of a page share their times:
  // convert each once.
  if (ms === lastMs) return lastIso;
  const offset = ms - dayStart;
  let iso: string;
  if (Number.isInteger(ms) && offset >= 0 && offset < DAY_MS) {
    // Same UTC day as the last conversion (a page of facts usually is): only the time of day
    // changes, and a UTC day is always 86,400,000 ms in JavaScript.
    const seconds = Math.floor(offset / 1000);
    iso = `${dayPrefix}${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}.${pad3(offset % 1000)}Z`;
  } else {
    iso = new Date(ms).toISOString(); // throws for an invalid time, before anything is cached
    if (Number.isSafeInteger(ms)) {
      dayStart = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
      dayPrefix = iso.slice(0, iso.indexOf('T') + 1);
    }
  }
  lastMs = ms;
  lastIso = iso;
  return iso;
}
