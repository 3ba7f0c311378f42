import type { ArgsDef } from 'citty';
import { allowedHostName } from '../server/allowed-host-name.ts';
import { UsageError } from './usage-error.ts';

const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * Every value of a repeatable string option (`--token a --token b`, `--id=x`): citty keeps only the
 * last one. `name` is the kebab-case name; its camelCase spelling counts too (`--allowedHost`), as
 * citty and {@link assertKnownArgs} accept it.
 *
 * @example
 * repeatedValues(['--peer', 'http://a', '--peer=http://b'], 'peer'); //=> ['http://a', 'http://b']
 */
export function repeatedValues(rawArgs: readonly string[], name: string): string[] {
  const flags = new Set([`--${name}`, `--${camel(name)}`]);
  const values: string[] = [];
  for (let index = 0; index < rawArgs.length; index += 1) {
    const arg = rawArgs[index]!;
    if (arg === '--') break;
    const equals = arg.indexOf('=');
    if (flags.has(arg)) {
      const value = rawArgs[index + 1];
      if (value !== undefined) values.push(value);
      index += 1;
    } else if (equals !== -1 && flags.has(arg.slice(0, equals))) {
      values.push(arg.slice(equals + 1));
    }
  }
  return values;
}

/**
 * Bearer tokens from a comma-separated environment variable and every `--token`, without blanks
 * or repeats (what a server command accepts).
 *
 * @example
 * tokensFrom(['--token', 'a'], 'FLEET_BUS_TOKENS'); // with FLEET_BUS_TOKENS='b, c' => ['b', 'c', 'a']
 */
export function tokensFrom(rawArgs: readonly string[], envVar: string): string[] {
  return mergedValues(rawArgs, 'token', envVar);
}

/** The comma-separated values of `envVar`, then every `--<option>`, trimmed, without blanks or repeats. */
function mergedValues(rawArgs: readonly string[], option: string, envVar: string): string[] {
  const fromEnv = (process.env[envVar] ?? '').split(',');
  const values = [...fromEnv, ...repeatedValues(rawArgs, option)].map((value) => value.trim()).filter(Boolean);
  return [...new Set(values)];
}

/**
 * The `Host` names a server without tokens answers besides addresses and `localhost`: every
 * `--allowed-host` and the comma-separated `$FLEET_ALLOWED_HOSTS`, without blanks or repeats.
 * Throws a {@link UsageError} naming an entry that is not a host name (a URL, a port).
 *
 * @example
 * allowedHostsFrom(['--allowed-host', 'bus.internal']); // with FLEET_ALLOWED_HOSTS='.lan' => ['.lan', 'bus.internal']
 */
export function allowedHostsFrom(rawArgs: readonly string[]): string[] {
  const names = mergedValues(rawArgs, 'allowed-host', 'FLEET_ALLOWED_HOSTS');
  for (const name of names) {
    try {
      allowedHostName(name);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return names;
}

/** The declared options of an {@link ArgsDef} by the names they are written with. */
interface OptionNames {
  /** Long names (kebab-case and camelCase) and longer aliases, after `--`. */
  byName: Map<string, ArgsDef[string]>;
  /** One-letter aliases, after a single `-`. */
  byLetter: Map<string, ArgsDef[string]>;
}

function optionNames(argsDef: ArgsDef): OptionNames {
  const byName = new Map<string, ArgsDef[string]>();
  const byLetter = new Map<string, ArgsDef[string]>();
  for (const [name, def] of Object.entries(argsDef)) {
    if (def.type === 'positional') continue;
    byName.set(name, def);
    byName.set(camel(name), def);
    for (const alias of aliasesOf(def)) (alias.length === 1 ? byLetter : byName).set(alias, def);
  }
  return { byName, byLetter };
}

/** An option argument as citty reads it: `--name`, `--name=value`, `--no-flag`, `-n`. */
interface ReadOption {
  def: ArgsDef[string];
  /** The option as written, without its inline value (`--no-json`, `-n`). */
  flag: string;
  /** What follows the first `=`, when there is one. */
  inline: string | undefined;
  /** Written `--no-<boolean>`. */
  negated: boolean;
}

function readOption(arg: string, { byName, byLetter }: OptionNames): ReadOption | undefined {
  const long = arg.startsWith('--');
  const [name = '', inline] = arg.slice(long ? 2 : 1).split(/=(.*)/s, 2);
  const flag = `${long ? '--' : '-'}${name}`;
  if (!long) {
    // citty reads `-host` as -h -o -s -t and `-n=ada` as -n -= -a -d -a: only `-n` alone is an alias.
    const def = inline === undefined ? byLetter.get(name) : undefined;
    return def && { def, flag, inline, negated: false };
  }
  const def = byName.get(name) ?? byName.get(camel(name));
  if (def) return { def, flag, inline, negated: false };
  const positive = name.startsWith('no-') ? byName.get(name.slice(3)) : undefined;
  return positive?.type === 'boolean' ? { def: positive, flag, inline, negated: true } : undefined;
}

/**
 * Whether `arg` (`--name`, `--name=value`, `--camelName`, `--no-flag`, `-n`) is an option that
 * `argsDef` declares, read the way {@link assertKnownArgs} reads it.
 */
export function declaresOption(argsDef: ArgsDef, arg: string): boolean {
  return readOption(arg, optionNames(argsDef)) !== undefined;
}

/**
 * citty reads a boolean's inline value as true unless it is exactly `false` (`--insecure=no` is
 * on), and ignores `--no-flag=value` altogether: only `=true` and `=false` mean what they say.
 */
function assertSwitch({ flag, inline, negated }: ReadOption, arg: string): void {
  if (inline === undefined || (!negated && (inline === 'true' || inline === 'false'))) return;
  const name = negated ? `--${flag.slice(5)}` : flag;
  throw new UsageError(`${flag} takes no value: write ${name} or --no-${name.slice(2)}, not ${arg}`);
}

/**
 * Rejects what citty lets through silently: unknown options, string options without a value,
 * boolean options with a value other than `true` or `false` (citty turns `--insecure=no` on), and
 * stray positional arguments. A single dash takes one declared one-letter alias (`-n`); citty
 * reads `-host ezra` as the flags h, o, s, t and a stray `ezra`, so `-host` is an unknown option.
 * Throws a {@link UsageError}.
 */
export function assertKnownArgs(rawArgs: readonly string[], argsDef: ArgsDef): void {
  const names = optionNames(argsDef);
  const positionals = Object.values(argsDef).filter((def) => def.type === 'positional').length;
  let seenPositionals = 0;
  for (let index = 0; index < rawArgs.length; index += 1) {
    const arg = rawArgs[index]!;
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-' || /^-\d/.test(arg)) {
      seenPositionals += 1;
      if (seenPositionals > positionals) throw new UsageError(`unexpected argument: ${arg}`);
      continue;
    }
    const option = readOption(arg, names);
    if (!option) throw new UsageError(`unknown option: ${arg.split('=')[0]}`);
    if (option.def.type === 'boolean') assertSwitch(option, arg);
    if ((option.def.type === 'string' || option.def.type === 'enum') && option.inline === undefined) {
      const value = rawArgs[index + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) {
        throw new UsageError(`${arg} needs a value`);
      }
      index += 1;
    }
  }
}

function aliasesOf(def: ArgsDef[string]): string[] {
  return 'alias' in def && def.alias !== undefined ? [def.alias].flat() : [];
}

/**
 * A numeric option: a finite number (a whole one when `integer`), within bounds; `undefined` when
 * the option was not given. Throws a {@link UsageError} naming the flag otherwise.
 */
export function numberArg(
  value: string | undefined,
  flag: string,
  constraints: { integer?: boolean; min?: number; max?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const number = value.trim() === '' ? Number.NaN : Number(value);
  const kind = constraints.integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(number) || (constraints.integer && !Number.isInteger(number))) {
    throw new UsageError(`--${flag} must be ${kind}, got "${value}"`);
  }
  if (constraints.min !== undefined && number < constraints.min) {
    throw new UsageError(`--${flag} must be at least ${constraints.min}, got ${value}`);
  }
  if (constraints.max !== undefined && number > constraints.max) {
    throw new UsageError(`--${flag} must be at most ${constraints.max}, got ${value}`);
  }
  return number;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest delay Node's timers take (about 24.8 days): a longer one fires after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A duration option in milliseconds: a number with a unit (`500ms`, `10s`, `5m`, `1h`) or a bare
 * number of seconds; at least `minMs` and at most `maxMs`. `undefined` when the option was not
 * given.
 *
 * @param maxMs The longest duration accepted, by default 2147483647 ms (about 24.8 days), the
 * longest delay `setTimeout` and `setInterval` take; pass a larger one only for a duration that no
 * timer waits for.
 * @example
 * durationArg('10s', 'sync-interval'); //=> 10000
 */
export function durationArg(
  value: string | undefined,
  flag: string,
  minMs = 0,
  maxMs = MAX_TIMER_MS,
): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!match) throw new UsageError(`--${flag} must be a duration like 500ms, 10s, 5m or 1h, got "${value}"`);
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!);
  if (ms < minMs) throw new UsageError(`--${flag} must be at least ${minMs} ms, got ${value}`);
  if (ms > maxMs) {
    const days = maxMs >= 86_400_000 ? ` (about ${Math.floor((maxMs / 86_400_000) * 10) / 10} days)` : '';
    throw new UsageError(`--${flag} must be at most ${maxMs} ms${days}, got ${value}`);
  }
  return ms;
}

/** A JSON option, e.g. `--payload '{"task": 1}'`; `undefined` when the option was not given. */
export function jsonArg(value: string | undefined, flag: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw new UsageError(`--${flag} is not valid JSON`);
  }
}
