import type { AlertRule, AlertSilence } from '../alerts-spec.ts';

/** The `targets`, `hosts` and `groups` of a rule or a silence. */
type Selectors = Pick<AlertRule, 'targets' | 'hosts' | 'groups'> | Pick<AlertSilence, 'targets' | 'hosts' | 'groups'>;

/** Host groups by host name. */
export type HostGroups = ReadonlyMap<string, readonly string[]>;

/** Whether the selectors name nothing, so they cover everything. */
export function unrestricted(selectors: Selectors): boolean {
  return selectors.targets === undefined && selectors.hosts === undefined && selectors.groups === undefined;
}

/** Whether the host is named, or is in a named group. */
export function coversHost(selectors: Selectors, host: string, groups: HostGroups): boolean {
  if (unrestricted(selectors)) return true;
  if (selectors.hosts?.includes(host)) return true;
  const of = groups.get(host) ?? [];
  return selectors.groups?.some((group) => of.includes(group)) ?? false;
}

/** Whether a target (by name and host) is covered: named, on a named host, or in a named group. */
export function coversTarget(selectors: Selectors, target: string, host: string, groups: HostGroups): boolean {
  return (selectors.targets?.includes(target) ?? false) || coversHost(selectors, host, groups);
}

/**
 * Whether something that befell `host` as a whole (a deploy that failed there) concerns the
 * selectors: the host is covered (named, in a named group, or nothing named), or a named target
 * runs on it now (`hostOf`, the host each known target runs on).
 */
export function coversHostOrItsTargets(
  selectors: Selectors,
  host: string,
  groups: HostGroups,
  hostOf: (target: string) => string | undefined,
): boolean {
  return coversHost(selectors, host, groups) || (selectors.targets?.some((target) => hostOf(target) === host) ?? false);
}

/** Whether `silence` is in force at `nowMs`. */
export function silenceActive(silence: AlertSilence, nowMs: number): boolean {
  return Date.parse(silence.from) <= nowMs && nowMs < Date.parse(silence.until);
}
