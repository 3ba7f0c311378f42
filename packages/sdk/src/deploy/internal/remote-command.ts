import { randomBytes } from 'node:crypto';
import { DeployError } from '../errors.ts';
import type { Command } from '../executor.ts';
import { shellJoin, shellQuote } from './shell-quote.ts';

/** What {@link remoteCommand} needs, resolved for this host. */
export interface RemoteCommandOptions {
  env: Readonly<Record<string, string>>;
  cwd: string;
  /** Run as this user through `sudo -n -u`; `undefined` runs as the login user. */
  sudoUser: string | undefined;
  timeoutMs: number;
  killGraceMs: number;
  input: string | undefined;
}

/** A command line for the SSH `exec` request, and what to write to its standard input. */
export interface RemoteCommand {
  /** The command line: nothing secret in it, since `ps` on the host shows it. */
  line: string;
  /** Environment preamble (then `input`): secrets travel here, never in argv. */
  stdin: string;
  /** A random word in the command line of the host's `timeout` process, to find it on abort. */
  marker: string;
}

/** The loader's exit code when stdin closed before the marker line: the command was not started. */
const NOT_STARTED_EXIT = 125;

// Reads `export NAME='value'` lines from stdin up to the marker line, evaluates them, changes to
// the working directory and execs the command; the rest of stdin is the command's input (`read`
// takes one byte at a time from a pipe, so it leaves that untouched). Without the marker line
// (stdin closed first: the run was aborted before it started) it exits, the command never run.
// Fixed text: no value is ever spliced into it.
const LOADER = `m=$1; d=$2; shift 2
e= g=
while IFS= read -r l; do
  [ "$l" = "$m" ] && { g=1; break; }
  e="$e$l
"
done
[ -n "$g" ] || exit ${NOT_STARTED_EXIT}
eval "$e"
cd -- "$d" || exit 127
exec "$@"`;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function seconds(ms: number): string {
  // `timeout 0` would mean no timeout at all.
  return `${Math.max(ms, 1) / 1000}s`;
}

/**
 * The host side of {@link Executor.run} over SSH: `timeout -k GRACE SECS` around a small `sh`
 * loader that reads the environment from stdin, so that a secret is never in a command line that
 * `ps` shows; `sudo -n -u USER` in front when another user is asked for. A string command runs
 * through `sh -c`, an argv directly.
 */
export function remoteCommand(command: Command, options: RemoteCommandOptions): RemoteCommand {
  const marker = `fleet-run-${randomBytes(8).toString('hex')}`;
  const argv = typeof command === 'string' ? ['sh', '-c', command] : [...command];
  if (argv.length === 0) throw new DeployError('invalid_plan', 'A command needs at least a program name');
  const exports: string[] = [];
  for (const [name, value] of Object.entries(options.env)) {
    if (!ENV_NAME.test(name)) throw new DeployError('invalid_plan', `Invalid environment variable name "${name}"`);
    exports.push(`export ${name}=${shellQuote(value)}\n`);
  }
  const sudo = options.sudoUser === undefined ? [] : ['sudo', '-n', '-u', options.sudoUser, '--'];
  const timeout = ['timeout', '-k', seconds(options.killGraceMs), seconds(options.timeoutMs)];
  const line = `exec ${shellJoin([...sudo, ...timeout, 'sh', '-c', LOADER, 'sh', marker, options.cwd, ...argv])}`;
  return { line, stdin: `${exports.join('')}${marker}\n${options.input ?? ''}`, marker };
}

/**
 * The `pgrep -f` pattern that finds the host's `timeout` process of a {@link remoteCommand} by its
 * marker. The bracket keeps a command line that carries the pattern (and its shell's) from matching it.
 */
export function timeoutPattern(marker: string): string {
  return `^timeout .*[${marker[0]}]${marker.slice(1)} `;
}

/** The command line that stops a {@link remoteCommand} early, as its `timeout` would. */
export function stopCommand(marker: string, signal: 'TERM' | 'KILL', sudoUser: string | undefined): string {
  const sudo = sudoUser === undefined ? [] : ['sudo', '-n', '-u', sudoUser, '--'];
  return shellJoin([...sudo, 'pkill', `-${signal}`, '-f', timeoutPattern(marker)]);
}
