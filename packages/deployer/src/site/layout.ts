import type { DeploySpec } from '@fleet/sdk/fleet';

/** Where Fleet puts things on a host, from the fleet file's `deploy` block. */
export interface SiteLayout {
  /** The release base of everything Fleet installs: `<root>/app` (releases/, current). */
  appBase: string;
  /** `<appBase>/current`: what units run and read. */
  current: string;
  /** Configuration as units read it: `<current>/etc`. */
  currentEtc: string;
  /** A release's directory. */
  release(id: string): string;
  /** Where a release keeps the unit files rendered for it: `<release>/units/` (what a rollback to it puts back). */
  releaseUnits(id: string): string;
  /** State of one service or wizard: `<state>/<name>`, owned by the service user. */
  state(name: string): string;
  /** Deploy lock directory (on the lock host). */
  lockDir: string;
  /** Deploy history file (on the lock host). */
  historyFile: string;
  /** Where a host records the restarts due but not done yet (the plan's `pendingHandlers`), so none is lost to a killed run. */
  pendingHandlers: string;
}

/** The layout for a fleet's deploy settings. */
export function siteLayout(settings: DeploySpec): SiteLayout {
  const appBase = `${settings.root}/app`;
  const current = `${appBase}/current`;
  return {
    appBase,
    current,
    currentEtc: `${current}/etc`,
    release: (id) => `${appBase}/releases/${id}`,
    releaseUnits: (id) => `${appBase}/releases/${id}/units`,
    state: (name) => `${settings.state}/${name}`,
    lockDir: `${settings.state}/deploy/lock`,
    historyFile: `${settings.state}/deploy/history.jsonl`,
    pendingHandlers: `${settings.state}/deploy/pending-handlers`,
  };
}
