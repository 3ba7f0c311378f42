/** Options of {@link startAlertHeartbeat}. */
export interface AlertHeartbeatOptions {
  /** The dead man's switch URL (healthchecks.io, an ntfy or Uptime Kuma push URL). */
  url: string;
  /**
   * Time between two calls: at least {@link MIN_HEARTBEAT_EVERY_MS}.
   * @default 60000
   */
  everyMs?: number;
  /**
   * `GET` (healthchecks.io, Uptime Kuma push) or `POST`.
   * @default 'GET'
   */
  method?: 'GET' | 'POST';
  /**
   * Time one call may take: above 0.
   * @default 10000
   */
  timeoutMs?: number;
  /** Hears of the first failure of a streak and of the recovery after it. */
  logger?: Pick<Console, 'warn'>;
}

/** A running heartbeat. */
export interface AlertHeartbeat {
  /** Calls the URL now (also what the timer does); resolves true when it answered 2xx. */
  beat(): Promise<boolean>;
  /** Stops the timer; a call in flight is aborted. */
  stop(): void;
}

/**
 * The shortest time between two heartbeat calls, as the fleet file's `alerts.heartbeat.every` allows:
 * a shorter one (0, say, which a timer runs every millisecond) would flood the service it calls.
 */
export const MIN_HEARTBEAT_EVERY_MS = 1000;

/** Throws a RangeError naming the option unless `value` is a finite number of at least `min` ms. */
function assertMs(name: string, value: number, min: number): void {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min) return;
  throw new RangeError(
    `startAlertHeartbeat: ${name} must be a number of milliseconds of at least ${min}, got ${String(value)}`,
  );
}

/** The URL without its path, query and user info, which may be the secret of the check. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the heartbeat URL';
  }
}

/**
 * Who watches the watcher: calls `url` at once and then every `everyMs` (an unref'd timer), so a
 * service such as healthchecks.io alerts when the calls stop (the alerting process died). A
 * failed call is logged once per streak of failures, and the first success after it once.
 *
 * @example
 * const heartbeat = startAlertHeartbeat({ url: 'https://hc-ping.com/<uuid>', everyMs: 60_000 });
 * heartbeat.stop();
 */
export function startAlertHeartbeat(options: AlertHeartbeatOptions): AlertHeartbeat {
  const everyMs = options.everyMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Before the first call and the timer: a bad option starts nothing.
  assertMs('everyMs', everyMs, MIN_HEARTBEAT_EVERY_MS);
  assertMs('timeoutMs', timeoutMs, 1);
  const stopped = new AbortController();
  let failing = false;
  const beat = async (): Promise<boolean> => {
    let problem: string | undefined;
    try {
      const response = await fetch(options.url, {
        method: options.method ?? 'GET',
        signal: AbortSignal.any([stopped.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await response.body?.cancel();
      if (!response.ok) problem = `answered ${response.status}`;
    } catch (error) {
      if (stopped.signal.aborted) return false;
      problem =
        error instanceof Error && error.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : 'unreachable';
    }
    if (problem !== undefined && !failing) {
      failing = true;
      options.logger?.warn(`fleet alerts: heartbeat to ${origin(options.url)} failed: ${problem}`);
    } else if (problem === undefined && failing) {
      failing = false;
      options.logger?.warn(`fleet alerts: heartbeat to ${origin(options.url)} works again`);
    }
    return problem === undefined;
  };
  void beat();
  const timer = setInterval(() => void beat(), everyMs);
  timer.unref();
  return {
    beat,
    stop: () => {
      clearInterval(timer);
      stopped.abort();
    },
  };
}
