import type { ArgsDef } from 'citty';
import { describe, expect, test } from 'vitest';
import { assertKnownArgs, durationArg, repeatedValues, tokensFrom, UsageError } from '../../src/cli/index.ts';

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
});

describe('repeated options', () => {
  test('repeatedValues collects every occurrence, spaced or with =, until --', () => {
    expect(repeatedValues(['--peer', 'a', '--x', '--peer=b', '--', '--peer', 'c'], 'peer')).toEqual(['a', 'b']);
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
});
