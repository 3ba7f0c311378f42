// Shared by the benchmark scripts: a figure against its target, and the exit code that follows, so
// that a run which misses a target fails (in CI, in `npm run bench`) instead of exiting 0 beside a
// table that says so.

const holds = {
  '>=': (value, target) => value >= target,
  '>': (value, target) => value > target,
  '<=': (value, target) => value <= target,
  '<': (value, target) => value < target,
};

/**
 * Judges `checks`, each `[name, value, op, target]` (`op` one of `>=`, `>`, `<=`, `<`), or
 * `[name, value]` for a figure printed for information (no target: it cannot fail). Returns the rows
 * to print (console.table or JSON): `{ check, value, target, result }`, `result` being `ok`,
 * `BELOW TARGET` / `ABOVE TARGET`, or `-` for information. When any check misses (a value that is
 * not a finite number misses too) it sets `process.exitCode = 1`, without exiting, so the results are
 * still printed whole, and says which on stderr unless `quiet`.
 *
 * @example
 * const rows = judge([['single send / bare', 0.29, '>=', 0.35], ['fsync single send / bare', 0.25]]);
 */
export function judge(checks, { quiet = false } = {}) {
  const rows = checks.map(([check, value, op, target]) => {
    if (op === undefined) return { check, value, target: '-', result: '-' };
    if (!holds[op]) throw new Error(`check ${check}: unknown operator ${op}`);
    const met = typeof value === 'number' && Number.isFinite(value) && holds[op](value, target);
    return {
      check,
      value,
      target: `${op} ${target}`,
      result: met ? 'ok' : op[0] === '>' ? 'BELOW TARGET' : 'ABOVE TARGET',
    };
  });
  const targeted = rows.filter((row) => row.result !== '-');
  const missed = targeted.filter((row) => row.result !== 'ok');
  if (missed.length > 0) {
    process.exitCode = 1;
    if (!quiet) {
      const names = missed.map((row) => row.check).join('; ');
      console.error(`! ${missed.length} of ${targeted.length} targets missed: ${names}`);
    }
  }
  return rows;
}
