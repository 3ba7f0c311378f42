/**
 * A command for a host: an argv array runs the program directly, a string runs through `sh -c`.
 *
 * @example ['systemctl', 'restart', 'fleet-bus']
 * @example 'test -x /usr/bin/node && node --version'
 */
export type Command = string | readonly string[];

/** Options of {@link Executor.run}. */
export interface RunOptions {
  /** Environment variables added to the host's. Pass secrets here, never in the command line. */
  env?: Readonly<Record<string, string>>;
  /** Working directory on the host, an absolute host path. @default the executor's default */
  cwd?: string;
  /** Run as this user (a local executor switches uid/gid; a remote one uses `sudo -n -u`). */
  user?: string;
  /**
   * Kill the command after this long. Enforced on the host too: a local executor kills the
   * process group; a remote one wraps the command in `timeout -k 5s N`, since closing an SSH
   * channel does not stop a remote process.
   * @default 300_000
   */
  timeoutMs?: number;
  /** Written to the command's standard input, which is closed afterwards. @default no input */
  input?: string;
  /** Stops the command (as a timeout does) when aborted. */
  signal?: AbortSignal;
}

/** How a command ended. Output is bounded: only its tail is kept. */
export interface RunResult {
  /** Exit code, or `null` when a signal ended it. 127 when the program was not found. */
  exitCode: number | null;
  /** The signal that ended it, e.g. `SIGKILL`. */
  signal: string | null;
  /** It ran past `timeoutMs` (or was aborted) and was killed. */
  timedOut: boolean;
  /** Tail of standard output. */
  stdout: string;
  /** Tail of standard output and standard error interleaved as they arrived. */
  output: string;
  /** Wall time. */
  durationMs: number;
}

/** What kind of thing a path is, without following a final symlink. */
export type PathType = 'file' | 'directory' | 'symlink' | 'other';

/** What a probe found at a path that exists. */
export interface ExistingPath {
  path: string;
  exists: true;
  type: PathType;
  /** Permission bits, e.g. `0o644` (no file type bits). */
  mode: number;
  uid: number;
  gid: number;
  /** The owner's name, when the host knows the uid. */
  owner?: string;
  /** The group's name, when the host knows the gid. */
  group?: string;
  /** Size in bytes. */
  size: number;
  /** A symlink's target, as written (not resolved). */
  target?: string;
  /** A regular file's content as UTF-8, when asked for and at most {@link ProbeRequest.maxBytes}. */
  content?: string;
  /** Hex SHA-256 of a regular file's content, when its content was asked for. */
  sha256?: string;
}

/** What a probe found at a host path: something, or nothing. */
export type PathInfo = ExistingPath | { path: string; exists: false };

/** One path to probe in a batch. */
export interface ProbeRequest {
  /** Absolute host path. */
  path: string;
  /** Also read a regular file's content (and its SHA-256). @default false */
  content?: boolean;
  /** Larger files get a `sha256` but no `content`. @default 1_048_576 */
  maxBytes?: number;
}

/** Owner, group and permission bits to set; what is left out stays as it is. */
export interface PathAttributes {
  /** User name or uid. */
  owner?: string | number;
  /** Group name or gid. */
  group?: string | number;
  /** Permission bits, e.g. `0o640`. */
  mode?: number;
}

/**
 * One host, as the deploy runner sees it. Every path is an absolute host path. A remote
 * implementation should make {@link Executor.probe} one round trip, since the runner gathers a
 * phase's facts with one call, and make every write atomic: a reader of the host sees the old
 * file or the new one, never half of one.
 */
export interface Executor {
  /** The host's name, as events and results show it. */
  readonly host: string;
  /** Run a command; a non-zero exit is a result, not an error. Rejects only if it could not be run. */
  run(command: Command, options?: RunOptions): Promise<RunResult>;
  /** What is at many paths, in one call: for each request, in order. */
  probe(requests: readonly ProbeRequest[]): Promise<PathInfo[]>;
  /** What is at one path (`lstat`, plus a symlink's target). */
  stat(path: string): Promise<PathInfo>;
  /** A file's content as UTF-8, or `undefined` when there is none. */
  readFile(path: string): Promise<string | undefined>;
  /**
   * Replace a file atomically: write a temp file in the same directory, fsync it, set its mode and
   * owner, rename it over `path`. Attributes left out are kept from the file it replaces, or are
   * `0o644` and the executor's user for a new file. A string is written as UTF-8, bytes as they are.
   */
  writeFile(path: string, content: string | Uint8Array, attributes?: PathAttributes): Promise<void>;
  /** Create a directory and any missing parents (parents get default attributes). */
  mkdir(path: string, attributes?: PathAttributes): Promise<void>;
  /** Set a path's owner, group or mode. */
  setAttributes(path: string, attributes: PathAttributes): Promise<void>;
  /**
   * Point the symlink `path` at `target` atomically: a temp symlink renamed over `path`
   * (`ln -s` + `mv -T`), so `path` never disappears, not even for a moment.
   */
  symlink(target: string, path: string): Promise<void>;
  /** Release the connection, if any. */
  close(): Promise<void>;
}
