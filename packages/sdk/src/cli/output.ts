import { formatWithOptions } from 'node:util';
import { createConsola, LogLevels } from 'consola/core';

/**
 * A Fleet CLI's output: plain lines, no badges or timestamps, nothing throttled (a tail may print
 * the same line twice). Results (`log`, `success`) go to stdout; diagnostics (`info`, `warn`,
 * `error`) go to stderr, so stdout stays parseable.
 */
export const output = createConsola({
  // `consola/core` has no environment-based defaults: `consola` itself goes quiet when TEST is set.
  level: LogLevels.info,
  throttle: 0,
  reporters: [
    {
      log(logObj) {
        const line = `${formatWithOptions({ colors: false }, ...logObj.args)}\n`;
        (logObj.level <= 1 || logObj.type === 'info' ? process.stderr : process.stdout).write(line);
      },
    },
  ],
});

/** Prints a value as one line of JSON (the `--json` output scripts parse). */
export function printJson(value: unknown): void {
  output.log(JSON.stringify(value));
}

/** Lines of a left-aligned table, columns two spaces apart, without trailing blanks. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [index, cell] of row.entries()) widths[index] = Math.max(widths[index] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
