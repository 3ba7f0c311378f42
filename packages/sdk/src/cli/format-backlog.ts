import type { QueueStats } from '../schemas/stats.ts';
import { formatTable } from './output.ts';

/** A bus backlog: what `GET /queue` answers and what the monitor keeps of it (`BusBacklog`). */
export type Backlog = Pick<QueueStats, 'recipients' | 'totals'>;

const age = (seconds: number | null) => (seconds === null ? '-' : `${seconds.toFixed(1)} s`);

/**
 * A bus backlog as table lines, one row per recipient and a totals row, in the schema's order:
 * `AGENT  READY  IN-FLIGHT  DELAYED  DEAD  OLDEST READY` (seconds, one decimal). `fleet-bus stats`
 * and `fleet status` both print it, so the same queue reads the same everywhere.
 *
 * @example
 * formatBacklog(await bus.stats()); //=> ['AGENT   READY  IN-FLIGHT  ...', 'worker  1      0  ...', 'total   1 ...']
 */
export function formatBacklog(backlog: Backlog): string[] {
  if (backlog.recipients.length === 0) return ['no messages'];
  const { totals } = backlog;
  return formatTable([
    ['AGENT', 'READY', 'IN-FLIGHT', 'DELAYED', 'DEAD', 'OLDEST READY'],
    ...backlog.recipients.map((r) => [
      r.agent,
      String(r.ready),
      String(r.inFlight),
      String(r.delayed),
      String(r.dead),
      age(r.oldestReadyAgeSeconds),
    ]),
    ['total', String(totals.ready), String(totals.inFlight), String(totals.delayed), String(totals.dead), ''],
  ]);
}
