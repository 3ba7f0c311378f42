import { stripVTControlCharacters } from 'node:util';
import { isFleetConnectionError, isFleetHttpError, isResponseValidationError } from '../client/errors.ts';
import { redactUrlCredentials } from '../internal/url-credentials.ts';
import { UsageError } from './usage-error.ts';

/** What a CLI prints for a failure and the status it exits with. */
export interface FailureReport {
  /** One line, no stack trace, no terminal escapes. */
  line: string;
  /** 2 for a bad command line, 1 for everything else. */
  exitCode: 1 | 2;
}

// A line goes to a terminal and, for a server started by systemd, to the journal: the user info of
// a URL it repeats (an argument's, say `--peer http://ops:pw@host`) is masked.
function oneLine(text: string): string {
  return redactUrlCredentials(stripVTControlCharacters(text))
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** The issues of a `validation_failed` envelope, as `field: message; ...`. */
function issuesText(details: unknown): string | undefined {
  const issues = (details as { issues?: unknown } | null | undefined)?.issues;
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  return issues
    .map((issue: { field?: unknown; message?: unknown }) =>
      typeof issue.field === 'string' && issue.field !== ''
        ? `${issue.field}: ${String(issue.message)}`
        : String(issue.message),
    )
    .join('; ');
}

/**
 * Turns any failure into one line (no stack trace, no terminal escapes, no URL credentials) and an
 * exit status: 2 for a bad command line (a {@link UsageError} or citty's own argument errors), 1
 * for everything else (the server refused, could not be reached, or broke the contract).
 */
export function reportFailure(error: unknown): FailureReport {
  if (error instanceof UsageError) return { line: oneLine(error.message), exitCode: 2 };
  if ((error as { name?: unknown } | null)?.name === 'CLIError') {
    return { line: oneLine((error as Error).message), exitCode: 2 };
  }
  if (isFleetHttpError(error)) {
    const detail = error.code === 'validation_failed' ? issuesText(error.details) : undefined;
    return { line: oneLine(`${error.code}: ${detail ?? error.message}`), exitCode: 1 };
  }
  if (isFleetConnectionError(error) || isResponseValidationError(error)) {
    return { line: oneLine(error.message), exitCode: 1 };
  }
  return { line: oneLine(error instanceof Error ? error.message : String(error)), exitCode: 1 };
}
