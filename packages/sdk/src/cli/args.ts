import type { ArgsDef } from 'citty';
import { allowedHostName } from '../server/allowed-host-name.ts';
import { UsageError } from './usage-error.ts';

const camel = (name: string) => name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * Every value of a repeatable string option (`--token a --token b`, `--id=x`): citty keeps only the
 * last one.
 *
 * @example
 * repeatedValues(['--peer', 'http://a', '--peer=http://b'], 'peer'); //=> ['http://a', 'http://b']
 */
export function repeatedValues(rawArgs: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let index = 0; index < rawArgs.length; index += 1) {
    const arg = rawArgs[index]!;
    if (arg === '--') break;
    if (arg === `--${name}`) {
      const value = rawArgs[index + 1];
      if (value !== undefined) values.push(value);
      index += 1;
    } else if (arg.startsWith(`--${name}=`)) {
      values.push(arg.slice(name.length + 3));
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

/**
 * Rejects what citty lets through silently: unknown options, string options without a value,
 * and stray positional arguments. A single dash takes one declared one-letter alias (`-n`); citty
 * reads `-host ezra` as the flags h, o, s, t and a stray `ezra`, so `-host` is an unknown option.
 * Throws a {@link UsageError}.
 */
export function assertKnownArgs(rawArgs: readonly string[], argsDef: ArgsDef): void {
  const byName = new Map<string, ArgsDef[string]>();
  const byLetter = new Map<string, ArgsDef[string]>();
  for (const [name, def] of Object.entries(argsDef)) {
    byName.set(name, def);
    byName.set(camel(name), def);
    for (const alias of aliasesOf(def)) (alias.length === 1 ? byLetter : byName).set(alias, def);
  }
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
    const long = arg.startsWith('--');
    const [flag = '', inline] = arg.slice(long ? 2 : 1).split(/=(.*)/s, 2);
    const def = long
      ? (byName.get(flag) ?? byName.get(camel(flag)) ?? negated(byName, flag))
      : inline === undefined
        ? byLetter.get(flag)
        : undefined;
    if (!def || def.type === 'positional') throw new UsageError(`unknown option: ${arg.split('=')[0]}`);
    if ((def.type === 'string' || def.type === 'enum') && inline === undefined) {
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

function negated(byName: Map<string, ArgsDef[string]>, flag: string): ArgsDef[string] | undefined {
  if (!flag.startsWith('no-')) return undefined;
  const def = byName.get(flag.slice(3));
  return def?.type === 'boolean' ? def : undefined;
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

/**
 * A duration option in milliseconds: a number with a unit (`500ms`, `10s`, `5m`, `1h`) or a bare
 * number of seconds; at least `minMs`. `undefined` when the option was not given.
 *
 * @example
 * durationArg('10s', 'sync-interval'); //=> 10000
 */
export function durationArg(value: string | undefined, flag: string, minMs = 0): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  if (!match) throw new UsageError(`--${flag} must be a duration like 500ms, 10s, 5m or 1h, got "${value}"`);
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? 's']!);
  if (ms < minMs) throw new UsageError(`--${flag} must be at least ${minMs} ms, got ${value}`);
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
