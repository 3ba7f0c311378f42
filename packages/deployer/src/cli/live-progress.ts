import type { DeployRunEvent } from '@fleet/sdk/deploy';
import { progressLine } from './progress.ts';

/** Where one host is in a deploy, as the live display shows it. */
export interface HostProgress {
  host: string;
  phase?: string;
  step?: string;
  /** When the current step started (ms, `performance.now()`), or when the host finished. */
  since: number;
  changed: number;
  failed: number;
  done: number;
  /** Set once the host finished: `ok`, `changed` or `failed`. */
  status?: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** The live block: one line per host with its phase, its current step and how long it has run. */
export function hostLines(hosts: readonly HostProgress[], now: number): string[] {
  const width = Math.max(...hosts.map((host) => host.host.length), 4);
  return hosts.map((host) => {
    const counts = `${host.done} done, ${host.changed} changed${host.failed > 0 ? `, ${host.failed} failed` : ''}`;
    if (host.status) return `${host.host.padEnd(width)}  ${host.status.padEnd(8)} ${counts}`;
    const where = host.phase ? `${host.phase}: ${host.step ?? '…'}` : 'waiting';
    return `${host.host.padEnd(width)}  ${where}  ${seconds(now - host.since)}  (${counts})`;
  });
}

/**
 * A live per-host display for a terminal: a block of one line per host (phase, current step, its
 * running time, counts) redrawn in place, with the lines worth keeping (changes, failures, gates,
 * rollbacks) printed above it as they happen.
 */
export class LiveProgress {
  readonly #stream: NodeJS.WriteStream;
  readonly #hosts = new Map<string, HostProgress>();
  #drawn = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
    this.#timer = setInterval(() => this.#redraw(), 250);
    this.#timer.unref();
  }

  #host(name: string): HostProgress {
    let host = this.#hosts.get(name);
    if (!host) {
      host = { host: name, since: performance.now(), changed: 0, failed: 0, done: 0 };
      this.#hosts.set(name, host);
    }
    return host;
  }

  /** Takes the next event of the run. */
  event(event: DeployRunEvent): void {
    let keep: string | undefined;
    if (event.type === 'batch_started') for (const name of event.hosts) this.#host(name);
    if (event.type === 'phase_started') Object.assign(this.#host(event.host), { phase: event.phase, step: undefined });
    if (event.type === 'step_started')
      Object.assign(this.#host(event.host), { step: event.step, since: performance.now() });
    if (event.type === 'step_finished') {
      const host = this.#host(event.host);
      host.done += 1;
      if (event.result.status === 'changed') host.changed += 1;
      if (event.result.status === 'failed') host.failed += 1;
      if (event.result.status === 'changed' || event.result.status === 'failed') keep = progressLine(event);
    } else if (event.type === 'host_finished') {
      Object.assign(this.#host(event.host), { status: event.result.status, since: performance.now() });
    } else if (event.type !== 'phase_started' && event.type !== 'step_started' && event.type !== 'phase_finished') {
      keep = progressLine(event);
    }
    this.#redraw(keep);
  }

  #redraw(keep?: string): void {
    const stream = this.#stream;
    if (this.#drawn > 0) {
      stream.moveCursor(0, -this.#drawn);
      stream.cursorTo(0);
      stream.clearScreenDown();
    }
    if (keep !== undefined) stream.write(`${keep}\n`);
    const lines = hostLines([...this.#hosts.values()], performance.now());
    const columns = stream.columns ?? 120;
    stream.write(lines.map((line) => `${line.slice(0, columns - 1)}\n`).join(''));
    this.#drawn = lines.length;
  }

  /** Stops redrawing; the last block stays on the screen. */
  close(): void {
    clearInterval(this.#timer);
    this.#redraw();
  }
}
