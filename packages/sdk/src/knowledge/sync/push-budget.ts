/** How long a peer keeps a push budget learned from its 413 before the full `maxPushBytes` is tried again. */
export const PUSH_PROBE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * How many bytes of changes the sync engine packs into one push request, per peer. Every peer
 * starts at `maxPushBytes`; a peer that refuses a request as too large (413, its body limit is
 * smaller) gets half of what that request held, for the rest of the attempt and the later ones.
 *
 * A learned budget is not for good: its limit may be raised, or the 413 came from a proxy for a
 * moment. {@link PUSH_PROBE_INTERVAL_MS} after the last refusal, requests are packed to
 * `maxPushBytes` again: the first one larger than the learned budget that the peer accepts forgets
 * it, one it refuses goes back to it (and waits another interval). So a peer with a small limit
 * costs one refused request per interval.
 *
 * Kept in memory: after a restart a peer with a small limit is found out again by one refused
 * request per halving.
 */
export class PushBudgets {
  readonly #max: number;
  readonly #learned = new Map<string, { budget: number; probeAt: number }>();

  /** `max`: the budget of a peer that has refused nothing (the engine's `maxPushBytes`). */
  constructor(max: number) {
    this.#max = max;
  }

  /**
   * Bytes of changes (as JSON) to pack into one push request to `peerId` at `now` (epoch ms); at
   * least one change is always sent.
   */
  of(peerId: string, now: number): number {
    const learned = this.#learned.get(peerId);
    return learned === undefined || now >= learned.probeAt ? this.#max : learned.budget;
  }

  /**
   * Records that `peerId` refused a request of `sentBytes` as too large at `now`, and returns its
   * new budget: the learned one when the request was a probe above it, else half of that request
   * (never more than half of the budget it was packed under).
   */
  refused(peerId: string, sentBytes: number, now: number): number {
    const learned = this.#learned.get(peerId);
    const probed = learned !== undefined && now >= learned.probeAt && sentBytes > learned.budget;
    const budget = probed ? learned.budget : Math.max(1, Math.floor(Math.min(this.of(peerId, now), sentBytes) / 2));
    this.#learned.set(peerId, { budget, probeAt: now + PUSH_PROBE_INTERVAL_MS });
    return budget;
  }

  /** Records that `peerId` accepted a request of `sentBytes` at `now`: a probe above the learned budget forgets it. */
  accepted(peerId: string, sentBytes: number, now: number): void {
    const learned = this.#learned.get(peerId);
    if (learned !== undefined && now >= learned.probeAt && sentBytes > learned.budget) this.#learned.delete(peerId);
  }
}
