/** How often at most a store writes one agent's last-seen time: about once a minute. */
export const SIGHTING_REFRESH_MS = 60_000;

/** How many forgotten agents one `sweep()` deletes at most (the rest on the next sweeps). */
export const AGENT_FORGET_BATCH = 10_000;

/** The last-seen time that keeps every agent, for `agentRetentionSeconds: 0` (fits a SQL bigint). */
const SEEN_ANY_TIME = Number.MIN_SAFE_INTEGER;

/**
 * The oldest last-seen time (ms) of an agent still known at `now`: a broadcast reaches the agents
 * seen at or after it, and the sweep forgets the others. Retention `0` keeps every agent.
 */
export function knownSince(now: number, agentRetentionSeconds: number): number {
  return agentRetentionSeconds === 0 ? SEEN_ANY_TIME : now - agentRetentionSeconds * 1000;
}

/**
 * Which agents a store has written as seen lately, so that a receive writes an agent's last-seen
 * time at most once per refresh interval (a minute, or half the retention when that is shorter,
 * so an agent that keeps receiving is never forgotten), not on every receive.
 *
 * Entries only ever suppress a write for one interval, and the sweep forgets an agent only after a
 * whole retention unseen, which is longer: an agent the sweep deleted is always written again on
 * its next sighting.
 */
export class AgentSightings {
  /** Agent -> the last-seen time this process last wrote for it. */
  readonly #written = new Map<string, number>();
  readonly #refreshMs: number;
  #trimmedAt = Number.NEGATIVE_INFINITY;

  constructor(agentRetentionSeconds: number) {
    this.#refreshMs =
      agentRetentionSeconds === 0 ? SIGHTING_REFRESH_MS : Math.min(SIGHTING_REFRESH_MS, agentRetentionSeconds * 500);
  }

  /** The agents among `agents` (each once) whose last-seen time is due to be written at `now`. */
  due(agents: Iterable<string>, now: number): string[] {
    return [...new Set(agents)].filter((agent) => this.isDue(agent, now));
  }

  /** Whether `agent`'s last-seen time is due to be written at `now`. */
  isDue(agent: string, now: number): boolean {
    const written = this.#written.get(agent);
    return written === undefined || now - written >= this.#refreshMs;
  }

  /** Notes that `agents` were written (committed) as seen at `now`. */
  written(agents: Iterable<string>, now: number): void {
    for (const agent of agents) this.#written.set(agent, now);
  }

  /** Forgets every note: a rolled-back transaction took the writes with it. */
  clear(): void {
    this.#written.clear();
  }

  /**
   * Drops the notes old enough to be due anyway, so the map holds only the agents seen in the last
   * interval; walks it at most once per interval.
   */
  trim(now: number): void {
    if (now - this.#trimmedAt < this.#refreshMs) return;
    this.#trimmedAt = now;
    for (const [agent, written] of this.#written) {
      if (now - written >= this.#refreshMs) this.#written.delete(agent);
    }
  }
}
