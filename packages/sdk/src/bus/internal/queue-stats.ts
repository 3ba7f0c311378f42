import type { QueueStats, RecipientStats } from '../../schemas/stats.ts';

/** Sorts per-recipient stats (one per agent that has any message) by agent and adds the totals. */
export function buildQueueStats(recipients: Iterable<RecipientStats>): QueueStats {
  const list = [...recipients].sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
  const totals = { ready: 0, inFlight: 0, delayed: 0, dead: 0 };
  for (const r of list) {
    totals.ready += r.ready;
    totals.inFlight += r.inFlight;
    totals.delayed += r.delayed;
    totals.dead += r.dead;
  }
  return { recipients: list, count: list.length, totals };
}
