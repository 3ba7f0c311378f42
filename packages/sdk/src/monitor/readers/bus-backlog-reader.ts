import { BusClient } from '../../bus/bus-client.ts';
import { FleetConnectionError } from '../../client/errors.ts';
import { toIso } from '../../internal/iso-time.ts';
import type { BusBacklog } from '../../schemas/fleet-status.ts';
import { stoppedBy } from '../internal/monitor-stopped.ts';
import type { ResolvedTarget } from '../internal/resolve-target.ts';
import { describeError } from './describe-error.ts';
import { serviceBaseUrl } from './service-url.ts';

/**
 * Reads a bus target's queue statistics (`GET /queue`) into a {@link BusBacklog}. A failed read
 * keeps the last good figures (and their time) and sets `error`; it never throws.
 */
export class BusBacklogReader {
  readonly #client: BusClient;
  readonly #timeoutMs: number;
  readonly #baseUrl: string;
  #backlog: BusBacklog;

  constructor(resolved: ResolvedTarget) {
    const { target } = resolved;
    this.#baseUrl = serviceBaseUrl(target.url);
    this.#client = new BusClient({
      url: this.#baseUrl,
      retry: 0,
      ...(target.headers ? { headers: target.headers } : {}),
    });
    this.#timeoutMs = resolved.timeoutMs;
    this.#backlog = {
      target: target.id,
      at: null,
      error: null,
      recipients: [],
      totals: { ready: 0, inFlight: 0, delayed: 0, dead: 0 },
    };
  }

  /** The backlog as last read. */
  get value(): BusBacklog {
    return this.#backlog;
  }

  /** Reads the queue statistics now. */
  async read(nowMs: () => number, signal?: AbortSignal): Promise<BusBacklog> {
    try {
      const stats = await this.#client.stats({ timeoutMs: this.#timeoutMs, ...(signal ? { signal } : {}) });
      this.#backlog = {
        target: this.#backlog.target,
        at: toIso(nowMs()),
        error: null,
        recipients: stats.recipients,
        totals: stats.totals,
      };
    } catch (error) {
      // A read the monitor's stop cut short says nothing about the target: its figures stay.
      if (stoppedBy(signal)) return this.#backlog;
      this.#backlog = { ...this.#backlog, error: describeError(error) };
    }
    return this.#backlog;
  }

  /**
   * Records a check that did not read because the target gave its health probe no answer
   * (`reason`, e.g. `connection refused`): like a failed read, the last figures stay and `error`
   * says why.
   */
  skip(reason: string): void {
    this.#backlog = { ...this.#backlog, error: describeError(new FleetConnectionError(this.#baseUrl, reason)) };
  }
}
