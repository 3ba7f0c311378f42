interface Schedule {
  intervalMs: number;
  /** When the next probe is due, on the scheduler's clock (performance.now()). */
  dueAt: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Calls `run(id)` for every target on its own interval, start to start. The first probe of each
 * target is spread at random over its interval so a fleet's probes do not all fire together.
 * A run still in progress when the next is due makes that one skip (`run` decides; the monitor
 * never probes one target twice at once). Timers are unref'd: a monitor alone does not keep the
 * process alive. Runs on real time (`performance.now()`), whatever clock the monitor stamps
 * results with.
 */
export class ProbeScheduler {
  readonly #run: (id: string) => void;
  readonly #random: () => number;
  readonly #schedules = new Map<string, Schedule>();
  #running = false;

  constructor(run: (id: string) => void, random: () => number) {
    this.#run = run;
    this.#random = random;
  }

  /** Starts the timers of every scheduled target. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const now = performance.now();
    for (const [id, schedule] of this.#schedules) {
      schedule.dueAt = now + this.#random() * schedule.intervalMs;
      this.#arm(id, schedule);
    }
  }

  /** Stops every timer (probes already running are not affected). */
  stop(): void {
    this.#running = false;
    for (const schedule of this.#schedules.values()) {
      clearTimeout(schedule.timer);
      schedule.timer = undefined;
    }
  }

  /** Adds a target, or changes its interval (restarting its phase). */
  set(id: string, intervalMs: number): void {
    const existing = this.#schedules.get(id);
    if (existing?.intervalMs === intervalMs) return;
    if (existing) clearTimeout(existing.timer);
    const schedule: Schedule = {
      intervalMs,
      dueAt: performance.now() + this.#random() * intervalMs,
      timer: undefined,
    };
    this.#schedules.set(id, schedule);
    if (this.#running) this.#arm(id, schedule);
  }

  /** Removes a target. */
  delete(id: string): void {
    clearTimeout(this.#schedules.get(id)?.timer);
    this.#schedules.delete(id);
  }

  #arm(id: string, schedule: Schedule): void {
    schedule.timer = setTimeout(
      () => {
        if (!this.#running || this.#schedules.get(id) !== schedule) return;
        this.#run(id);
        // Start to start: the next due time follows from the last, not from when this fired.
        // After a stall (a blocked event loop, a suspended laptop) missed runs are skipped.
        const now = performance.now();
        schedule.dueAt += schedule.intervalMs;
        if (schedule.dueAt <= now) {
          schedule.dueAt += (Math.floor((now - schedule.dueAt) / schedule.intervalMs) + 1) * schedule.intervalMs;
        }
        this.#arm(id, schedule);
      },
      Math.max(0, schedule.dueAt - performance.now()),
    );
    schedule.timer.unref();
  }
}
