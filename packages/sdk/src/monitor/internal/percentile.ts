/**
 * Nearest-rank percentiles (`p` in 0..1) of `values`, which this reorders in place. Every
 * latency figure of the monitor (buckets, days, the 24 h p50/p95) uses this one definition: the
 * smallest value with at least `p` of all values at or below it.
 */
export function percentiles(values: Float64Array, ps: readonly number[]): Array<number | null> {
  if (values.length === 0) return ps.map(() => null);
  return ps.map((p) => select(values, Math.min(values.length - 1, Math.max(0, Math.ceil(p * values.length) - 1))));
}

/**
 * The `k`-th smallest value (0-based), by quickselect: linear on average, where a sort would be
 * n log n. Statuses compute the 24 h percentiles of many targets at once, so it matters.
 */
function select(values: Float64Array, k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (right > left) {
    // Median of three as the pivot keeps sorted and constant inputs linear.
    const middle = (left + right) >> 1;
    const pivot = medianOf(values[left]!, values[middle]!, values[right]!);
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return values[k]!;
  }
  return values[k]!;
}

function medianOf(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}
