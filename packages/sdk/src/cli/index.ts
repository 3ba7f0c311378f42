/**
 * `@fleet/sdk/cli`: what every Fleet command line shares (citty and consola, which the CLI
 * packages depend on): strict argument checks, repeated and typed options, `--url`/`--token`
 * resolution, plain output, one-line failures with exit status 2 (usage) or 1, and signals.
 */

// Running a CLI
export type { RunCliOptions } from './run-cli.ts';
export { runCli, runCliProcess } from './run-cli.ts';
export type { FailureReport } from './report-failure.ts';
export { reportFailure } from './report-failure.ts';
export { UsageError } from './usage-error.ts';
export type { UntilSignalOptions } from './until-signal.ts';
export { untilSignal } from './until-signal.ts';

// Arguments
export {
  allowedHostsFrom,
  assertKnownArgs,
  durationArg,
  jsonArg,
  numberArg,
  repeatedValues,
  tokensFrom,
} from './args.ts';
export { strictArgs } from './strict-args.ts';
export { formatIssues } from '../client/format-issues.ts';
export type { ClientEndpoint } from './client-args.ts';
export { assertTokenArg, clientFrom, defineClientArgs } from './client-args.ts';

// Output
export { formatTable, output, printJson } from './output.ts';
export type { Backlog } from './format-backlog.ts';
export { formatBacklog } from './format-backlog.ts';
