import { Timestamp } from '@fleet/sdk';
import { durationArg, formatIssues, repeatedValues, UsageError } from '@fleet/sdk/cli';
import { AlertSilence } from '@fleet/sdk/fleet';

/** The options of `fleet silence` that describe a new silence (none of them go with `--list` or `--remove`). */
export const NEW_SILENCE_OPTIONS = ['target', 'host', 'group', 'for', 'from', 'until', 'reason'] as const;

/** What `fleet silence` was given for a new silence. */
export type NewSilenceArgs = { [Name in (typeof NEW_SILENCE_OPTIONS)[number]]?: string | undefined };

function timeArg(value: string, flag: string): number {
  if (!Timestamp.safeParse(value).success) {
    throw new UsageError(`--${flag} must be an ISO 8601 time such as 2030-01-01T10:00:00Z, got "${value}"`);
  }
  return Date.parse(value);
}

/**
 * The silence `fleet silence` was asked to set, checked against the `AlertSilence` schema: times
 * in ISO 8601 with an offset, exactly one of `--for` and `--until`, an end after the start and
 * after `nowMs` (a silence already over would silence nothing). Throws a {@link UsageError}.
 *
 * @example
 * silenceFromArgs({ host: 'ezra', for: '2h' }, ['--host', 'ezra', '--for', '2h'], Date.now());
 */
export function silenceFromArgs(args: NewSilenceArgs, rawArgs: readonly string[], nowMs: number): AlertSilence {
  const fromMs = args.from === undefined ? nowMs : timeArg(args.from, 'from');
  // No timer waits for it: a silence may last longer than a timer can (about 24.8 days).
  const forMs = durationArg(args.for, 'for', 1000, Number.MAX_SAFE_INTEGER);
  if ((forMs === undefined) === (args.until === undefined)) throw new UsageError('give either --for or --until');
  const untilMs = args.until === undefined ? fromMs + (forMs ?? 0) : timeArg(args.until, 'until');
  if (untilMs <= nowMs) {
    throw new UsageError(`the silence would be over already: it ends ${new Date(untilMs).toISOString()}`);
  }
  if (untilMs <= fromMs) throw new UsageError('the silence must end after it starts');
  const pick = (name: string) => {
    const values = repeatedValues(rawArgs, name);
    return values.length > 0 ? values : undefined;
  };
  const targets = pick('target');
  const hosts = pick('host');
  const groups = pick('group');
  const parsed = AlertSilence.safeParse({
    ...(targets ? { targets } : {}),
    ...(hosts ? { hosts } : {}),
    ...(groups ? { groups } : {}),
    from: new Date(fromMs).toISOString(),
    until: new Date(untilMs).toISOString(),
    ...(args.reason === undefined ? {} : { reason: args.reason }),
  });
  if (!parsed.success) throw new UsageError(`invalid silence: ${formatIssues(parsed.error.issues, 1)}`);
  return parsed.data;
}
