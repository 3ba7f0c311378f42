import { spawn } from 'node:child_process';
import type { Command, RunResult } from '../executor.ts';
import { OutputTail } from './output-tail.ts';

/** What {@link spawnCommand} needs, already resolved for this host. */
export interface SpawnOptions {
  env: Readonly<Record<string, string>>;
  cwd: string;
  uid?: number;
  gid?: number;
  timeoutMs: number;
  killGraceMs: number;
  input?: string;
  signal?: AbortSignal;
  maxOutputBytes: number;
}

// After the process exits, a grandchild that escaped its group may still hold the pipes open.
const STDIO_GRACE_MS = 1000;

/**
 * Run a command in its own process group; on timeout or abort, SIGTERM the whole group, then
 * SIGKILL it `killGraceMs` later (what `timeout -k` does on a remote host). A run stopped that way
 * is `timedOut` with `exitCode: null` and the signal sent, whatever its shell exited with.
 */
export function spawnCommand(command: Command, options: SpawnOptions): Promise<RunResult> {
  const started = performance.now();
  const [file, ...args] = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
  const stdout = new OutputTail(options.maxOutputBytes);
  const output = new OutputTail(options.maxOutputBytes);
  return new Promise((resolve) => {
    // Stopped (timeout or abort) while the group's leader still ran: its exit code says nothing then.
    let timedOut = false;
    // The last signal sent to the group, if any.
    let sent: NodeJS.Signals | null = null;
    let exited = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (exitCode: number | null, signal: string | null, extra = ''): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      options.signal?.removeEventListener('abort', stop);
      // Members of the group that outlived its leader after a SIGTERM.
      if (sent !== null) killGroup('SIGKILL');
      if (extra) output.push(Buffer.from(extra));
      // A command that traps SIGTERM may still exit 0: a stopped run has no exit code, as over SSH.
      resolve({
        exitCode: timedOut ? null : exitCode,
        signal: timedOut ? (signal ?? sent) : signal,
        timedOut,
        stdout: stdout.toString(),
        output: output.toString(),
        durationMs: performance.now() - started,
      });
    };
    const child = spawn(file ?? '', args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // The group is gone already.
      }
    };
    function stop(): void {
      if (sent !== null || settled) return;
      // A leader that exited on its own keeps its exit code; what it left running is still stopped.
      timedOut = !exited;
      sendGroup('SIGTERM');
      timers.push(setTimeout(() => sendGroup('SIGKILL'), options.killGraceMs));
    }
    function sendGroup(signal: NodeJS.Signals): void {
      sent = signal;
      killGroup(signal);
    }
    timers.push(setTimeout(stop, options.timeoutMs));
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });

    child.stdout?.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      output.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      // Like a shell: a program that cannot be found or started is exit 127 / 126, not a throw.
      finish(error.code === 'ENOENT' ? 127 : 126, null, `${error.message}\n`);
    });
    child.on('exit', (code, signal) => {
      exited = true;
      if (settled) return;
      timers.push(
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish(code, signal);
        }, STDIO_GRACE_MS),
      );
    });
    child.on('close', (code, signal) => finish(code, signal));
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {
        // The command did not read its input; its exit code tells what happened.
      });
      child.stdin.end(options.input);
    }
  });
}
