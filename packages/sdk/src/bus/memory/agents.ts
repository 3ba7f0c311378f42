import { knownSince } from '../internal/agent-sightings.ts';
import type { ResolvedStoreOptions } from '../internal/options.ts';

/** The agents the in-memory store knows, with when each was last seen: those a broadcast reaches. */
export class MemoryAgents {
  readonly #options: Pick<ResolvedStoreOptions, 'agentRetentionSeconds'>;
  /** Agent -> when it was last seen (sent, was sent to, subscribed, leased or polled). */
  readonly #lastSeen = new Map<string, number>();

  constructor(options: Pick<ResolvedStoreOptions, 'agentRetentionSeconds'>) {
    this.#options = options;
  }

  /** Records an agent as seen at `now` (known again if it had been forgotten); the time only moves forward, as on disk. */
  see(agent: string, now: number): void {
    this.#lastSeen.set(agent, Math.max(now, this.#lastSeen.get(agent) ?? now));
  }

  /** The agents seen within the retention at `now`: those a broadcast reaches. */
  *known(now: number): Iterable<string> {
    const since = knownSince(now, this.#options.agentRetentionSeconds);
    for (const [agent, seen] of this.#lastSeen) if (seen >= since) yield agent;
  }

  /** The sweep's part: forgets the agents unseen for longer than the retention (none with retention 0). */
  forgetUnseen(now: number): void {
    const since = knownSince(now, this.#options.agentRetentionSeconds);
    for (const [agent, seen] of this.#lastSeen) {
      if (seen < since) this.#lastSeen.delete(agent);
    }
  }
}
