// Shared by the benchmark scripts: their command line and BENCH_* settings, checked before anything
// starts (no server, cluster or temp directory yet), so that a typo or a bad number fails at once
// with one line instead of running for minutes on a default, or forever on NaN.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Exit code of a bad argument or setting (a missed target exits with 1). */
const USAGE = 2;

function fail(message) {
  console.error(`${message} (--help lists the arguments)`);
  process.exit(USAGE);
}

/**
 * `raw` as a number, or a one-line failure naming `name`: it must be finite and above 0 (at least 0
 * with `zero`), and an integer with `integer`.
 */
function checkedNumber(name, raw, { integer = false, zero = false } = {}) {
  const value = String(raw).trim() === '' ? Number.NaN : Number(raw);
  const kind = `${integer ? 'an integer' : 'a number'} ${zero ? '>= 0' : '> 0'}`;
  if (!Number.isFinite(value) || (zero ? value < 0 : value <= 0) || (integer && !Number.isInteger(value))) {
    fail(`${name} must be ${kind}, not ${JSON.stringify(String(raw))}`);
  }
  return value;
}

/**
 * The BENCH_* environment variable `name` as a number, `fallback` when it is unset or empty; exits
 * with code 2 and one line naming it when it is not a finite number above 0 (at least 0 with `zero`,
 * an integer with `integer`).
 *
 * @example
 * const rounds = envNumber('BENCH_ROUNDS', 3, { integer: true });
 */
export function envNumber(name, fallback, { integer = false, zero = false } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  return checkedNumber(name, raw, { integer, zero });
}

/**
 * The command line of the bench at `scriptUrl` (its `import.meta.url`): boolean `flags` (`json`,
 * `postgres`...), numeric `numbers` (`--minutes 2`: name to `{ default, integer, zero }`), and up to
 * `positionals` arguments that are not flags. `--help` prints the script's header comment and exits
 * 0; an unknown flag, a missing value, a bad number or a stray argument exits with code 2 and one line.
 *
 * @example
 * const args = benchArgs(import.meta.url, { flags: ['json'], numbers: { minutes: { default: 10 } } });
 * args.json; // boolean
 * args.minutes; // number
 */
export function benchArgs(scriptUrl, { flags = [], numbers = {}, positionals = 0 } = {}) {
  const options = { help: { type: 'boolean', short: 'h' } };
  for (const flag of flags) options[flag] = { type: 'boolean' };
  for (const name of Object.keys(numbers)) options[name] = { type: 'string' };
  let parsed;
  try {
    parsed = parseArgs({ options, allowPositionals: true, strict: true });
  } catch (error) {
    const [, unknown] = /Unknown option '([^']+)'/.exec(error.message) ?? [];
    const [, ambiguous] = /Option '([^' ]+)' argument is ambiguous/.exec(error.message) ?? [];
    if (unknown) fail(`unknown option ${unknown}`);
    if (ambiguous) fail(`${ambiguous} takes a value: write ${ambiguous}=<value> for one that starts with a dash`);
    fail(error.message.split('\n')[0]);
  }
  if (parsed.values.help) {
    console.log(headerComment(scriptUrl));
    process.exit(0);
  }
  if (parsed.positionals.length > positionals) {
    fail(`unexpected argument ${JSON.stringify(parsed.positionals[positionals])}`);
  }
  const result = { positionals: parsed.positionals };
  for (const flag of flags) result[flag] = parsed.values[flag] ?? false;
  for (const [name, spec] of Object.entries(numbers)) {
    const raw = parsed.values[name];
    result[name] = raw === undefined ? spec.default : checkedNumber(`--${name}`, raw, spec);
  }
  return result;
}

/** The leading `//` comment of a script, without the slashes: what --help prints. */
function headerComment(scriptUrl) {
  const lines = readFileSync(fileURLToPath(scriptUrl), 'utf8').split('\n');
  const end = lines.findIndex((line) => !line.startsWith('//'));
  return lines
    .slice(0, end === -1 ? lines.length : end)
    .map((line) => line.replace(/^\/\/ ?/, ''))
    .join('\n');
}
