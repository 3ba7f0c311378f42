import { OutputTail } from '../../internal/output-tail.ts';
import { endPaced } from './paced-stdin.ts';
import type { SshConnection } from './ssh-connection.ts';

/**
 * After the host reported the command's exit, how long its channel may stay open with no output
 * arriving, in ms. sshd reports the exit as soon as the command ends, with output still on its
 * way (on a slow link, up to a window's worth: megabytes), so the wait starts over with each
 * chunk; but a process the command left in the background that holds its stdout or stderr open
 * and writes nothing would keep the channel open until it ends.
 */
const EXIT_DRAIN_MS = 1_000;

/** What {@link runChannel} needs. */
export interface ChannelOptions {
  /**
   * Written to the channel's stdin, which is then closed; a large one paced so that keepalive's
   * requests are answered in time (see {@link endPaced}).
   */
  stdin: string | Buffer;
  maxOutputBytes: number;
  /** Close the channel after this long and report `closedByClient` (a backstop: the host enforces its own). */
  backstopMs: number;
  /**
   * Aborted while waiting for a free channel: none is opened. Aborted while it opens: its stdin is
   * closed unwritten (a command that waits for it, as {@link remoteCommand}'s loader does, then
   * never starts). Either way `notStarted` is reported. Aborted later: `onAbort` is called, to stop
   * the command on the host.
   */
  signal?: AbortSignal | undefined;
  onAbort?: () => void;
  /**
   * Called once stdin has been handed to the channel: from then on the command may run on the
   * host, even if the connection is lost before it reports an exit.
   */
  onStarted?: () => void;
  /** Ahead of the queue for a free channel (see {@link SshConnection.exec}). @default false */
  priority?: boolean;
}

/** How an exec channel ended. */
export interface ChannelResult {
  exitCode: number | null;
  /** `SIGTERM`, as a signal name, when the host reported one. */
  signal: string | null;
  stdout: string;
  output: string;
  /** The backstop closed the channel before the host reported an exit. */
  closedByClient: boolean;
  /** The signal was aborted before stdin was written. */
  notStarted: boolean;
}

/**
 * Runs one command line over an exec channel and collects the tail of its output. Rejects when
 * the channel closes without an exit status or the connection is lost: never waits forever. Once
 * the exit status arrived, the channel is closed when no output came for {@link EXIT_DRAIN_MS},
 * even if a background process still holds its output (what that writes later is not collected).
 */
export async function runChannel(
  connection: SshConnection,
  line: string,
  options: ChannelOptions,
): Promise<ChannelResult> {
  const { signal: abortSignal, onAbort } = options;
  const channel = await connection.exec(line, { priority: options.priority === true, signal: abortSignal });
  if (channel === undefined) {
    return { exitCode: null, signal: null, stdout: '', output: '', closedByClient: false, notStarted: true };
  }
  const stdout = new OutputTail(options.maxOutputBytes);
  const output = new OutputTail(options.maxOutputBytes);
  return new Promise<ChannelResult>((resolve, reject) => {
    let exit: { code: number | null; signal: string | null } | undefined;
    let closedByClient = false;
    const notStarted = abortSignal?.aborted === true;
    let drain: ReturnType<typeof setTimeout> | undefined;
    let stopStdin = (): void => {};
    const done = (error?: Error): void => {
      stopStdin();
      clearTimeout(backstop);
      clearTimeout(drain);
      unsubscribe();
      if (onAbort) abortSignal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else
        resolve({
          exitCode: exit?.code ?? null,
          signal: exit?.signal ?? null,
          stdout: stdout.toString(),
          output: output.toString(),
          closedByClient,
          notStarted,
        });
    };
    const unsubscribe = connection.onLost((error) => done(error));
    const backstop = setTimeout(() => {
      closedByClient = exit === undefined;
      channel.close();
    }, options.backstopMs);
    /** After the exit: closes the channel once no output came for {@link EXIT_DRAIN_MS}. */
    const drainAfterExit = (): void => {
      if (exit === undefined) return;
      clearTimeout(drain);
      drain = setTimeout(() => channel.close(), EXIT_DRAIN_MS);
    };
    channel.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      output.push(chunk);
      drainAfterExit();
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      output.push(chunk);
      drainAfterExit();
    });
    const onExit = (code: unknown, signal?: unknown): void => {
      exit = {
        code: typeof code === 'number' ? code : null,
        signal: typeof signal === 'string' && signal ? (signal.startsWith('SIG') ? signal : `SIG${signal}`) : null,
      };
    };
    channel.on('exit', (code: unknown, signal?: unknown) => {
      onExit(code, signal);
      drainAfterExit();
    });
    channel.on('close', (code?: unknown, signal?: unknown) => {
      // A command that does not wait for stdin can exit before this listens: its 'exit' is then
      // gone, but ssh2 repeats the exit status (or signal) on 'close'.
      if (exit === undefined && (typeof code === 'number' || typeof signal === 'string')) onExit(code, signal);
      if (exit !== undefined || closedByClient) done();
      // The connection may be going down: let its error, if any, be the reason.
      else
        setImmediate(() => done(connection.lost ? undefined : new Error('the channel closed without an exit status')));
    });
    channel.on('error', (error: Error) => done(error));
    // Checked and written in one tick: the command has its stdin (and runs) only if not aborted yet.
    if (notStarted) channel.end();
    else {
      stopStdin = endPaced(channel, options.stdin, connection.keepaliveLimitMs);
      options.onStarted?.();
      if (onAbort) abortSignal?.addEventListener('abort', onAbort, { once: true });
    }
  });
}
