/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * a uniform random delay in [0, min(max, base * 2^(attempt-1))], never below a tenth of the ceiling
 * so a failing operation does not spin. Unit-agnostic: `base`, `max` and the result share one unit
 * (the bus uses seconds, the sync engine milliseconds).
 */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number): number {
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return ceiling / 10 + random() * ceiling * 0.9;
}
