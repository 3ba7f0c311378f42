const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration as written in a fleet file: a number and a unit, e.g. `500ms`, `30s`, `2m`, `1.5h`, `7d`. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Milliseconds of a duration matching {@link DURATION_PATTERN}, rounded to a whole millisecond. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new RangeError(`not a duration: ${text}`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

/** The shortest way to write `ms` with one unit (`30s`, `2m`, `1500ms`), for messages. */
export function formatDuration(ms: number): string {
  if (ms % UNIT_MS.d === 0 && ms > 0) return `${ms / UNIT_MS.d}d`;
  if (ms % UNIT_MS.h === 0 && ms > 0) return `${ms / UNIT_MS.h}h`;
  if (ms % UNIT_MS.m === 0 && ms > 0) return `${ms / UNIT_MS.m}m`;
  if (ms % UNIT_MS.s === 0 && ms > 0) return `${ms / UNIT_MS.s}s`;
  return `${ms}ms`;
}
