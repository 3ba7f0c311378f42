import { FleetError } from '../errors.ts';
import { MIN_SECRET_CHARS } from '../internal/redact.ts';
import { trimToken } from '../internal/token-value.ts';
import type { MonitorTarget, ServiceKind } from '../schemas/monitor.ts';
import { urlHost } from './internal/address.ts';
import { variablesOf } from './internal/origins.ts';
import { redactFleet } from './redact.ts';
import type { Fleet, FleetService, FleetWizard } from './schema.ts';

/** A service or wizard with its name. */
export type NamedTarget = (FleetService | FleetWizard) & { name: string };

/** Every service, then every wizard, in file order. */
export function fleetEntries(fleet: Fleet): NamedTarget[] {
  return [
    ...Object.entries(fleet.services).map(([name, service]) => ({ name, ...service })),
    ...Object.entries(fleet.wizards).map(([name, wizard]) => ({ name, ...wizard })),
  ];
}

function baseUrlOf(fleet: Fleet, target: NamedTarget): string {
  const host = fleet.hosts[target.host];
  if (!host) {
    const section = target.kind === 'wizard' ? 'wizards' : 'services';
    throw new FleetError('validation_failed', `${section}.${target.name}.host: unknown host "${target.host}"`);
  }
  return `${target.scheme}://${urlHost(host.address)}:${target.port}`;
}

/**
 * The base URL of a service or wizard (no trailing slash), or `undefined` when the fleet has no
 * target of that name.
 * @example serviceUrl(fleet, 'bus') // 'http://10.0.0.5:8650'
 */
export function serviceUrl(fleet: Fleet, name: string): string | undefined {
  const target = fleetEntries(fleet).find((entry) => entry.name === name);
  return target && baseUrlOf(fleet, target);
}

/**
 * The services (or, for `'wizard'`, the wizards) of one kind, in file order.
 * @example servicesOfKind(fleet, 'knowledge').map((node) => serviceUrl(fleet, node.name))
 */
export function servicesOfKind(fleet: Fleet, kind: ServiceKind): NamedTarget[] {
  return fleetEntries(fleet).filter((entry) => entry.kind === kind);
}

/**
 * What the monitor probes: one target per service and wizard, with the health URL derived from
 * the host's address (IPv6 in brackets), the port and the health path, and an
 * `Authorization: Bearer` header when the service has a token. Throws `FleetError('validation_failed')`
 * for a target on a host the fleet lacks (a fleet from `parseFleet` never has one).
 */
export function fleetTargets(fleet: Fleet): MonitorTarget[] {
  return fleetEntries(fleet).map((entry) => {
    const { health } = entry;
    const target: MonitorTarget = {
      id: entry.name,
      kind: entry.kind,
      host: entry.host,
      url: `${baseUrlOf(fleet, entry)}${health.path}`,
      intervalMs: health.intervalMs,
      timeoutMs: health.timeoutMs,
      conditions: [...health.conditions],
      failureThreshold: health.failureThreshold,
      successThreshold: health.successThreshold,
    };
    // A fleet built in code skips the schema's trimming; the clients trim their `token` the same way.
    if (entry.token !== undefined) target.headers = { Authorization: `Bearer ${trimToken(entry.token)}` };
    return target;
  });
}

/**
 * The fleet as it may be shown (in a status, a page, a report): host addresses and every target's
 * health URL, with each value that came from an `${ENV_VAR}` reference showing the reference
 * instead (see `redactFleet`). Cached per fleet object.
 */
export function shownFleet(fleet: Fleet): { addresses: Map<string, string>; urls: Map<string, string> } {
  let shown = shownCache.get(fleet);
  if (!shown) {
    const redacted = redactFleet(fleet);
    shown = {
      addresses: new Map(Object.entries(redacted.hosts).map(([name, host]) => [name, host.address])),
      urls: new Map(fleetTargets(redacted).map((target) => [target.id, target.url])),
    };
    shownCache.set(fleet, shown);
  }
  return shown;
}

const shownCache = new WeakMap<Fleet, { addresses: Map<string, string>; urls: Map<string, string> }>();

/**
 * `text` (an error a reader of the fleet's targets wrote, naming the URL it read) with every value
 * the fleet file took from an `${ENV_VAR}` reference showing the reference instead, as
 * {@link shownFleet} shows addresses and URLs: values of at least 4 characters (a shorter one
 * would garble the text and hide next to nothing), the longest first.
 *
 * @example showReferences(fleet, 'GET http://10.0.0.5:8650/queue failed') // 'GET http://${BUS_ADDR}:8650/queue failed'
 */
export function showReferences(fleet: Fleet, text: string): string {
  const variables = Object.entries(variablesOf(fleet))
    .filter(([, value]) => value.length >= MIN_SECRET_CHARS)
    .sort(([, a], [, b]) => b.length - a.length);
  let shown = text;
  for (const [name, value] of variables) shown = shown.split(value).join(`\${${name}}`);
  return shown;
}
