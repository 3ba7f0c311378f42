import { type FSWatcher, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { FleetProblem } from '../schemas/fleet-status.ts';
import { loadFleetFile } from './load-fleet-file.ts';
import { type FleetParseResult, type ParseFleetOptions, parseFleet } from './parse-fleet.ts';
import type { Fleet } from './schema.ts';

/** The fleet file as last read by {@link watchFleetFile}. */
export interface FleetFileSnapshot {
  /** The path watched, as given; problems are reported against it. */
  file: string;
  /**
   * The last fleet that loaded without errors: from the file as it is now, or, when the file now
   * has errors, from an earlier version (see `stale`). `undefined` when no version ever loaded.
   * A new object exactly when a new version loaded, so `!==` tells whether the fleet changed.
   */
  fleet: Fleet | undefined;
  /** Errors and warnings of the file as it is now, in document order. */
  problems: FleetProblem[];
  /** True when the file now has errors and `fleet` is the last valid one (or undefined). */
  stale: boolean;
  /** Counts the changes seen: 0 for the first read, then one more per change of the file's text. */
  version: number;
}

/** Options of {@link watchFleetFile}. */
export interface WatchFleetFileOptions {
  /** Where `${NAME}` references are looked up. @default process.env */
  env?: ParseFleetOptions['env'];
  /**
   * How long the file must stay quiet before it is read again: an editor saves in several writes.
   * @default 100
   */
  debounceMs?: number;
  /**
   * Interval of the modification-time check that backs up the file system events (which some
   * file systems, network mounts and containers do not deliver), in ms; 0: events only.
   * @default 2000
   */
  pollIntervalMs?: number;
}

/** A running fleet file watcher. */
export interface FleetFileWatcher {
  /** The file as last read. */
  readonly current: FleetFileSnapshot;
  /** Reads the file now; calls `onChange` (and resolves with the new snapshot) when its text changed. */
  reload(): Promise<FleetFileSnapshot>;
  /** Stops watching. */
  close(): void;
}

function problemsOf(result: FleetParseResult): FleetProblem[] {
  return [...result.errors, ...result.warnings].sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Reads a fleet file, then reads it again whenever it changes (file system events on its directory,
 * so editors that save by renaming are seen too, debounced, plus a modification-time check as a
 * backup) and calls `onChange` with the new snapshot. A version with errors does not replace the
 * fleet in use: the snapshot keeps the last valid fleet and carries the new problems. A missing or
 * unreadable file is one problem like any other, and is read again once it is back.
 *
 * @example
 * const watcher = await watchFleetFile('fleet.yaml', ({ fleet, problems }) => {
 *   if (fleet) monitor.setTargets(fleetTargets(fleet));
 *   for (const problem of problems) console.warn(formatProblem(problem));
 * });
 * // later
 * watcher.close();
 */
export async function watchFleetFile(
  path: string,
  onChange: (snapshot: FleetFileSnapshot) => void,
  options: WatchFleetFileOptions = {},
): Promise<FleetFileWatcher> {
  const parseOptions = { file: path, ...(options.env ? { env: options.env } : {}) };
  const debounceMs = options.debounceMs ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  let lastText: string | undefined;
  let closed = false;

  async function read(previous: FleetFileSnapshot | undefined): Promise<FleetFileSnapshot | undefined> {
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      text = undefined;
    }
    if (previous && text !== undefined && text === lastText) return undefined;
    lastText = text;
    // An unreadable file is reported the way `loadFleetFile` words it.
    const result = text === undefined ? await loadFleetFile(path, parseOptions) : parseFleet(text, parseOptions);
    const problems = problemsOf(result);
    if (previous && text === undefined && previous.stale && sameProblems(previous.problems, problems)) return undefined;
    return {
      file: path,
      fleet: result.value ?? previous?.fleet,
      problems,
      stale: result.value === undefined,
      version: previous ? previous.version + 1 : 0,
    };
  }

  // Undefined only until the first read is done, before this function returns.
  let current = undefined as unknown as FleetFileSnapshot;
  let running: Promise<FleetFileSnapshot> | undefined;
  let again = false;

  function reload(): Promise<FleetFileSnapshot> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          const next = await read(current);
          if (next && !closed) {
            current = next;
            try {
              onChange(next);
            } catch {
              // The listener's failure is its own; the watcher carries on.
            }
          }
        } while (again && !closed);
        return current;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload().catch(() => {}), debounceMs);
    timer.unref();
  };

  const name = basename(path);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, filename) => {
      if (!filename || filename.toString() === name) schedule();
    });
    // The directory may go away; the modification-time check carries on.
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }

  // Watched and stat'ed before the first read: a save while it runs is then seen, not lost.
  let lastStat = await statKey(path);
  const poller =
    pollIntervalMs > 0
      ? setInterval(async () => {
          const key = await statKey(path);
          if (key !== lastStat) {
            lastStat = key;
            schedule();
          }
        }, pollIntervalMs)
      : undefined;
  poller?.unref();

  // A reload asked for during the first read waits for it (`running`), then runs once more.
  running = read(undefined) as Promise<FleetFileSnapshot>;
  try {
    current = await running;
  } catch (error) {
    clearTimeout(timer);
    clearInterval(poller);
    watcher?.close();
    throw error;
  } finally {
    running = undefined;
  }
  if (again) schedule();

  return {
    get current() {
      return current;
    },
    reload,
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poller);
      watcher?.close();
    },
  };
}

async function statKey(path: string): Promise<string> {
  try {
    const info = await stat(path);
    return `${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function sameProblems(a: readonly FleetProblem[], b: readonly FleetProblem[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
