import { toIso } from '../../internal/iso-time.ts';
import { describeError } from '../../monitor/readers/describe-error.ts';
import type { ReportAgentTraffic, ReportBus } from '../fleet-report.ts';
import type { ReportBusSource } from '../report-sources.ts';

/** Audit events read per request. */
const AUDIT_PAGE = 1000;

interface Counts {
  sent: number;
  received: number;
  acked: number;
  deadLettered: number;
}

/**
 * A bus's part of the report: each agent's traffic over [sinceMs, untilMs] from the bus's audit
 * trail (paged from `sinceMs` on), and its backlog now from the queue stats. `partial` when
 * retention has removed events of the period (the bus says how far back it removed events).
 */
export async function busReport(
  source: ReportBusSource,
  sinceMs: number,
  untilMs: number,
  signal?: AbortSignal,
): Promise<ReportBus> {
  const options = signal ? { signal } : undefined;
  try {
    const counts = new Map<string, Counts>();
    const of = (agent: string): Counts => {
      let entry = counts.get(agent);
      if (!entry) {
        entry = { sent: 0, received: 0, acked: 0, deadLettered: 0 };
        counts.set(agent, entry);
      }
      return entry;
    };
    const stats = await source.client.stats(options);
    let partial = false;
    let prunedThroughKnown = true;
    let cursor: string | undefined;
    do {
      const page = await source.client.audit(
        { since: toIso(sinceMs), limit: AUDIT_PAGE, ...(cursor === undefined ? {} : { cursor }) },
        options,
      );
      // Retention removed an event of the period: the counts may miss some.
      if (page.prunedThrough === undefined) prunedThroughKnown = false;
      else if (page.prunedThrough !== null && Date.parse(page.prunedThrough) >= sinceMs) partial = true;
      for (const event of page.events) {
        if (Date.parse(event.at) > untilMs) continue;
        if (event.event === 'sent') {
          of(event.agent).received++;
          const from = event.details?.from;
          if (typeof from === 'string') of(from).sent++;
        } else if (event.event === 'acked') of(event.agent).acked++;
        else if (event.event === 'dead_lettered') of(event.agent).deadLettered++;
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    if (!prunedThroughKnown) partial = await olderServerPartial(source, sinceMs, options);
    const backlog = new Map(stats.recipients.map((recipient) => [recipient.agent, recipient]));
    const agents = [...new Set([...counts.keys(), ...backlog.keys()])].sort();
    return {
      target: source.target,
      error: null,
      partial,
      agents: agents.map((agent): ReportAgentTraffic => {
        const traffic = counts.get(agent);
        const queue = backlog.get(agent);
        return {
          agent,
          sent: traffic?.sent ?? 0,
          received: traffic?.received ?? 0,
          acked: traffic?.acked ?? 0,
          deadLettered: traffic?.deadLettered ?? 0,
          ready: queue?.ready ?? 0,
          dead: queue?.dead ?? 0,
          oldestReadyAgeSeconds: queue?.oldestReadyAgeSeconds ?? null,
        };
      }),
    };
  } catch (error) {
    return { target: source.target, error: describeError(error), partial: true, agents: [] };
  }
}

/**
 * For a bus server too old to say how far back retention removed events: a guess from its oldest
 * event (numbered above 1 and younger than the period), wrong for a young PostgreSQL bus whose
 * sequence skipped numbers.
 */
async function olderServerPartial(
  source: ReportBusSource,
  sinceMs: number,
  options: { signal: AbortSignal } | undefined,
): Promise<boolean> {
  const [first] = (await source.client.audit({ limit: 1 }, options)).events;
  return first !== undefined && first.seq > 1 && Date.parse(first.at) > sinceMs;
}
