import type { ArgsDef } from 'citty';
import { describe, expect, test } from 'vitest';
import { declaresOption } from '../../src/cli/args.ts';
import {
  allowedHostsFrom,
  assertKnownArgs,
  durationArg,
  repeatedValues,
  tokensFrom,
  UsageError,
} from '../../src/cli/index.ts';

describe('durationArg', () => {
  test.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['3', 3000],
    ['0', 0],
  ])('reads %s as %i ms', (text, ms) => {
    expect(durationArg(text, 'every')).toBe(ms);
  });

  test('is undefined when the option was not given', () => {
    expect(durationArg(undefined, 'every')).toBeUndefined();
  });

  test.each(['soon', '-1s', '10 days', ''])('refuses %j naming the flag', (text) => {
    expect(() => durationArg(text, 'every')).toThrow(UsageError);
    expect(() => durationArg(text, 'every')).toThrow(/^--every must be a duration/);
  });

  test('refuses a duration under the minimum', () => {
    expect(() => durationArg('5ms', 'every', 10)).toThrow('--every must be at least 10 ms, got 5ms');
  });

  test('takes up to the longest delay Node timers take, 2^31-1 ms', () => {
    expect(durationArg('2147483647ms', 'every')).toBe(2 ** 31 - 1);
    expect(durationArg('596h', 'every')).toBe(596 * 3_600_000);
  });

  test.each(['720h', '2147483648ms', '597h', '99999999999999999999h'])(
    'refuses %s, which a timer would fire after 1 ms, naming the flag and the maximum',
    (text) => {
      expect(() => durationArg(text, 'sync-interval')).toThrow(UsageError);
      expect(() => durationArg(text, 'sync-interval')).toThrow(
        `--sync-interval must be at most 2147483647 ms (about 24.8 days), got ${text}`,
      );
    },
  );

  test('a caller may set another maximum', () => {
    expect(() => durationArg('2h', 'for', 0, 3_600_000)).toThrow('--for must be at most 3600000 ms, got 2h');
    expect(durationArg('720h', 'for', 0, Number.MAX_SAFE_INTEGER)).toBe(720 * 3_600_000);
  });
});

describe('repeated options', () => {
  test('repeatedValues collects every occurrence, spaced or with =, until --', () => {
    expect(repeatedValues(['--peer', 'a', '--x', '--peer=b', '--', '--peer', 'c'], 'peer')).toEqual(['a', 'b']);
  });

  test('repeatedValues reads the camelCase spelling too, which assertKnownArgs and citty accept', () => {
    const rawArgs = ['--allowedHost', 'a', '--allowed-host', 'b', '--allowedHost=c', '--allowed-host=d'];
    expect(repeatedValues(rawArgs, 'allowed-host')).toEqual(['a', 'b', 'c', 'd']);
    expect(repeatedValues(['--trustProxy', '10.0.0.0/8'], 'trust-proxy')).toEqual(['10.0.0.0/8']);
    expect(repeatedValues(['--allowed-hosts', 'x', '--allowedHostx=y'], 'allowed-host')).toEqual([]);
  });

  test('allowedHostsFrom checks a camelCase --allowedHost like the kebab-case one', () => {
    expect(allowedHostsFrom(['--allowedHost', 'bus.internal'])).toContain('bus.internal');
    expect(() => allowedHostsFrom(['--allowedHost', 'http://bus.internal'])).toThrow(UsageError);
  });

  test('tokensFrom merges the environment variable and --token, without blanks or repeats', () => {
    process.env.TEST_FLEET_TOKENS = ' one, ,two ';
    try {
      expect(tokensFrom(['--token', 'two', '--token=three'], 'TEST_FLEET_TOKENS')).toEqual(['one', 'two', 'three']);
    } finally {
      delete process.env.TEST_FLEET_TOKENS;
    }
  });
});

describe('assertKnownArgs', () => {
  const args: ArgsDef = {
    host: { type: 'string', description: 'A host' },
    name: { type: 'string', alias: 'n', description: 'A name' },
    'dry-run': { type: 'boolean', alias: ['d'], description: 'Plan only' },
    json: { type: 'boolean', description: 'JSON' },
  };
  const refusal = (rawArgs: string[]) => {
    try {
      assertKnownArgs(rawArgs, args);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    return undefined;
  };

  test('accepts long options, camel case, --no- and declared one-letter aliases', () => {
    expect(refusal(['--host', 'ezra', '--dryRun', '--no-json', '-n', 'ada', '-d', '--name=bo'])).toBeUndefined();
  });

  test.each([
    [['-host', 'ezra'], 'unknown option: -host'],
    [['-json'], 'unknown option: -json'],
    [['-name=ada'], 'unknown option: -name'],
    [['-h'], 'unknown option: -h'],
    [['-n=ada'], 'unknown option: -n'],
    [['-nd'], 'unknown option: -nd'],
  ])('a single dash takes only a declared one-letter alias: %j', (rawArgs, message) => {
    expect(refusal(rawArgs)).toBe(message);
  });

  test('names an option without its value as it was written', () => {
    expect(refusal(['-n'])).toBe('-n needs a value');
    expect(refusal(['--name', '--json'])).toBe('--name needs a value');
  });

  test('a boolean takes =true and =false, which citty reads as written', () => {
    expect(refusal(['--json=true', '--dry-run=false', '--dryRun=true'])).toBeUndefined();
  });

  test.each([
    ['--json=no', '--json takes no value: write --json or --no-json, not --json=no'],
    ['--json=0', '--json takes no value: write --json or --no-json, not --json=0'],
    ['--json=off', '--json takes no value: write --json or --no-json, not --json=off'],
    ['--json=', '--json takes no value: write --json or --no-json, not --json='],
    ['--json=FALSE', '--json takes no value: write --json or --no-json, not --json=FALSE'],
    ['--dry-run=no', '--dry-run takes no value: write --dry-run or --no-dry-run, not --dry-run=no'],
    ['--dryRun=no', '--dryRun takes no value: write --dryRun or --no-dryRun, not --dryRun=no'],
    // citty drops `--no-json=...` altogether, leaving the option at its default.
    ['--no-json=true', '--no-json takes no value: write --json or --no-json, not --no-json=true'],
    ['--no-json=false', '--no-json takes no value: write --json or --no-json, not --no-json=false'],
  ])('a boolean with any other value (citty would turn it on) is refused: %s', (arg, message) => {
    expect(refusal([arg])).toBe(message);
  });
});

describe('declaresOption', () => {
  const args: ArgsDef = {
    file: { type: 'positional', description: 'A file' },
    'dry-run': { type: 'boolean', alias: 'd', description: 'Plan only' },
    url: { type: 'string', description: 'A URL' },
  };

  test.each(['--dry-run', '--dryRun', '--no-dry-run', '-d', '--url', '--url=http://x'])('%s is declared', (arg) => {
    expect(declaresOption(args, arg)).toBe(true);
  });

  test.each(['--json', '--file', '--no-url', '-u', '-d=1', '--d'])('%s is not', (arg) => {
    expect(declaresOption(args, arg)).toBe(false);
  });
});
