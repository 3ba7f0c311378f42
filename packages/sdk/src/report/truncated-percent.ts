/**
 * `fraction` (0 to 1) as a percentage with two decimals, truncated so that anything short of
 * perfect never reads `100.00`: `0.99987` → `'99.98'`, `0.57` → `'57.00'`, `1` → `'100.00'`.
 * What the fleet report and the dashboard show as uptime.
 *
 * @example
 * truncatedPercent(57 / 100); // '57.00'
 * truncatedPercent(99_999 / 100_000); // '99.99'
 */
export function truncatedPercent(fraction: number): string {
  if (fraction >= 1) return '100.00';
  // 0.57 * 10_000 is 5699.999999999999: without the nudge 57 of 100 would read 56.99. It is far
  // below the distance of any other ratio of probe counts from the next hundredth of a percent.
  const hundredths = Math.min(9_999, Math.floor(fraction * 10_000 + 1e-9));
  return (hundredths / 100).toFixed(2);
}
