/**
 * OpenSSH's `match_pattern`: `*` matches any run of characters (also none), `?` exactly one, and
 * everything else itself. Greedy with backtracking to the last `*`, so it stays linear-ish on
 * hostile patterns instead of recursing.
 */
export function matchPattern(name: string, pattern: string): boolean {
  let n = 0;
  let p = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      resume = n;
    } else if (c !== undefined && (c === '?' || c === name[n])) {
      n++;
      p++;
    } else if (star !== -1) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
