import { ServiceKind } from '../../schemas/monitor.ts';
import { Address, FleetName, Port } from '../fields.ts';
import { type FleetHealth, HealthSpec } from '../health.ts';
import { resolveHealth } from '../presets.ts';
import type { Path } from './locate.ts';
import type { Finding } from './problem-list.ts';

/** A service or wizard as far as it is valid: rules check what they can of a broken entry too. */
export interface TargetEntry {
  section: 'services' | 'wizards';
  name: string;
  /** The entry as written (environment resolved). */
  raw: Record<string, unknown>;
  /** Set when the host name is valid. */
  host?: string;
  /** Set when the port is valid. */
  port?: number;
  /** `'wizard'` for a wizard; a service's when it is a valid service kind. */
  kind?: ServiceKind;
  /** The kind's preset with the `health` block on top; set when both are valid, whatever else is wrong. */
  health?: FleetHealth;
}

/** What every rule sees. */
export interface RuleContext {
  /** Every host name written, with its address when that is valid. */
  hosts: Map<string, string | undefined>;
  targets: TargetEntry[];
  /** The hosts that have an `ssh` block (the deployer manages them), with its port when that is valid. */
  sshHosts: Map<string, number | undefined>;
  /** `deploy.lock.host` when it is a valid name. */
  lockHost?: string;
  /** Every host group written (`hosts.<name>.groups`). */
  groups: Set<string>;
  /** The `alerts` block as written (environment resolved), when it is a mapping. */
  alerts?: Record<string, unknown>;
  /** True when the string at `path` came from an `${ENV_VAR}` reference. */
  fromEnv(path: Path): boolean;
  /** The value at `path` quoted for a message; a value from the environment shows its reference. */
  show(path: Path): string;
  report(finding: Finding): void;
}

/** A rule adds findings to the context; it never throws. */
export type Rule = (context: RuleContext) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function entries(tree: Record<string, unknown>, section: string): Array<[string, Record<string, unknown>]> {
  const value = tree[section];
  if (!isRecord(value)) return [];
  return Object.entries(value).filter((entry): entry is [string, Record<string, unknown>] => isRecord(entry[1]));
}

const SERVICE_KIND = ServiceKind.exclude(['wizard']);

function target(section: TargetEntry['section'], name: string, raw: Record<string, unknown>): TargetEntry {
  const entry: TargetEntry = { section, name, raw };
  const host = FleetName.safeParse(raw.host);
  if (host.success) entry.host = host.data;
  const port = Port.safeParse(raw.port);
  if (port.success) entry.port = port.data;
  const kind = SERVICE_KIND.safeParse(raw.kind);
  if (section === 'wizards') entry.kind = 'wizard';
  else if (kind.success) entry.kind = kind.data;
  const health = HealthSpec.optional().safeParse(raw.health);
  if (entry.kind !== undefined && health.success) entry.health = resolveHealth(entry.kind, health.data);
  return entry;
}

/** The hosts and targets of a resolved (but not necessarily valid) fleet tree. */
export function collectEntries(
  tree: unknown,
): Pick<RuleContext, 'hosts' | 'targets' | 'sshHosts' | 'lockHost' | 'groups' | 'alerts'> {
  if (!isRecord(tree)) return { hosts: new Map(), targets: [], sshHosts: new Map(), groups: new Set() };
  const hosts = new Map<string, string | undefined>();
  const sshHosts = new Map<string, number | undefined>();
  const groups = new Set<string>();
  for (const [name, raw] of Object.entries(isRecord(tree.hosts) ? tree.hosts : {})) {
    const address = Address.safeParse(isRecord(raw) ? raw.address : undefined);
    hosts.set(name, address.success ? address.data : undefined);
    if (isRecord(raw) && isRecord(raw.ssh)) {
      const port = Port.default(22).safeParse(raw.ssh.port);
      sshHosts.set(name, port.success ? port.data : undefined);
    }
    if (isRecord(raw) && Array.isArray(raw.groups)) for (const group of raw.groups) groups.add(String(group));
  }
  const lock =
    isRecord(tree.deploy) && isRecord(tree.deploy.lock) ? FleetName.safeParse(tree.deploy.lock.host) : undefined;
  const targets = [
    ...entries(tree, 'services').map(([name, raw]) => target('services', name, raw)),
    ...entries(tree, 'wizards').map(([name, raw]) => target('wizards', name, raw)),
  ];
  return {
    hosts,
    targets,
    sshHosts,
    groups,
    ...(lock?.success ? { lockHost: lock.data } : {}),
    ...(isRecord(tree.alerts) ? { alerts: tree.alerts } : {}),
  };
}
