import { formatTable } from '@fleet/sdk/cli';
import type { LocalFleet } from './start-local-fleet.ts';

/**
 * The block `fleet up` prints once everything listens: a heading, then one line per URL
 * (`  <label>  <url>`; agents are labelled `agent <name>`), then how to stop.
 *
 * @example
 * formatUrls(fleet);
 * // ['fleet is up (fleet.yaml):', '  bus          http://127.0.0.1:8650', ..., 'Ctrl-C stops the fleet.']
 */
export function formatUrls(fleet: Pick<LocalFleet, 'config' | 'urls'>): string[] {
  const { urls } = fleet;
  const rows = [
    ['bus', urls.bus],
    ['knowledge', urls.knowledge],
    ['dashboard', urls.dashboard, '(open it in a browser)'],
    ...Object.entries(urls.agents).map(([name, url]) => [`agent ${name}`, url]),
  ];
  return [`fleet is up (${fleet.config}):`, ...formatTable(rows).map((line) => `  ${line}`), 'Ctrl-C stops the fleet.'];
}
