/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * a uniform random delay in [0, min(max, base * 2^(attempt-1))], never below a tenth of the ceiling
 * so a failing message does not spin.
 */
export function backoffSeconds(attempt: number, baseSeconds: number, maxSeconds: number, random: () => number): number {
  const ceiling = Math.min(maxSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
  return ceiling / 10 + random() * ceiling * 0.9;
}
