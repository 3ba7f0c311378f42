import { BusClient } from '../bus/bus-client.ts';
import type { Fleet } from '../fleet/schema.ts';
import { fleetTargets, showReferences } from '../fleet/targets.ts';
import { KnowledgeClient } from '../knowledge/knowledge-client.ts';
import { serviceBaseUrl } from '../monitor/readers/service-url.ts';
import type { ReportBusSource, ReportKnowledgeSource } from './report-sources.ts';

/** Options of {@link fleetReportServices}. */
export interface FleetReportServicesOptions {
  /** Time one request may take. @default 10000 */
  timeoutMs?: number;
}

/**
 * The fleet file's name and its bus and knowledge services as report sources: a client per
 * service, at the URL and with the token the monitor uses for it, and a `showError` that shows each
 * value the file took from the environment as its `${ENV}` reference (`showReferences`) in the
 * report's errors, as `fleet status` and the dashboard show them: the report goes to alert channels.
 *
 * @example
 * const report = await buildFleetReport({ ...fleetReportServices(fleet), monitor });
 */
export function fleetReportServices(
  fleet: Fleet,
  options: FleetReportServicesOptions = {},
): {
  fleet?: string;
  buses: ReportBusSource[];
  knowledge: ReportKnowledgeSource[];
  showError: (message: string) => string;
} {
  const buses: ReportBusSource[] = [];
  const knowledge: ReportKnowledgeSource[] = [];
  for (const target of fleetTargets(fleet)) {
    if (target.kind !== 'bus' && target.kind !== 'knowledge') continue;
    const clientOptions = {
      url: serviceBaseUrl(target.url),
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(target.headers ? { headers: target.headers } : {}),
    };
    if (target.kind === 'bus') buses.push({ target: target.id, client: new BusClient(clientOptions) });
    else knowledge.push({ target: target.id, client: new KnowledgeClient(clientOptions) });
  }
  return {
    ...(fleet.name === undefined ? {} : { fleet: fleet.name }),
    buses,
    knowledge,
    showError: (message) => showReferences(fleet, message),
  };
}
