import type { FleetStatus } from '@fleet/sdk';
import { STATE_ORDER } from './states.ts';

/** `Fleet · 1 down, 2 degraded`: the document title, so a background tab shows trouble. */
export function documentTitle(status: Pick<FleetStatus, 'counts'>, title = 'Fleet'): string {
  return `${title} · ${summarizeCounts(status)}`;
}

/** `1 down, 2 degraded` or `all 5 up`: the gist of the counts, for the document title. */
function summarizeCounts(status: Pick<FleetStatus, 'counts'>): string {
  const bad = (['down', 'degraded'] as const).filter((state) => (status.counts[state] ?? 0) > 0);
  if (bad.length) return bad.map((state) => `${status.counts[state]} ${state}`).join(', ');
  const up = status.counts.up ?? 0;
  const total = STATE_ORDER.reduce((sum, state) => sum + (status.counts[state] ?? 0), 0);
  if (total === 0) return 'no targets';
  return up === total ? `all ${total} up` : `${up} of ${total} up`;
}
