import { type Fleet, fleetEntries, type NamedTarget } from '@fleet/sdk/fleet';

/** A service `fleet up` runs: its name in the fleet file, its port and its token, if any. */
export interface PlannedService {
  name: string;
  port: number;
  token?: string;
}

/** A demo agent `fleet up` runs for a wizard of the fleet file. */
export interface PlannedAgent {
  name: string;
  port: number;
  /** The wizard it sends its tasks to: the next one in the file (the first after the last). */
  peer: string;
}

/** What `fleet up` starts, read from the fleet file. */
export interface LocalPlan {
  bus: PlannedService;
  knowledge: PlannedService;
  dashboard: PlannedService;
  agents: PlannedAgent[];
  /** Services of the file `fleet up` does not run (a second bus, an Ollama, ...): the dashboard shows them as they are. */
  skipped: string[];
}

function planned(target: NamedTarget): PlannedService {
  return { name: target.name, port: target.port, ...(target.token !== undefined ? { token: target.token } : {}) };
}

/**
 * Reads what to start from the fleet file: the first `bus`, `knowledge` and `dashboard` service
 * (each is required) and one demo agent per wizard. Throws an `Error` naming what is missing.
 */
export function localPlan(fleet: Fleet): LocalPlan {
  const entries = fleetEntries(fleet);
  const first = (kind: 'bus' | 'knowledge' | 'dashboard') => entries.find((entry) => entry.kind === kind);
  const [bus, knowledge, dashboard] = [first('bus'), first('knowledge'), first('dashboard')];
  if (!bus || !knowledge || !dashboard) {
    const missing = (['bus', 'knowledge', 'dashboard'] as const).filter((kind) => !first(kind));
    throw new Error(
      `the fleet file has no ${missing.join(', no ')} service; fleet up needs one of each ` +
        '(move the file away to get the demo fleet file)',
    );
  }
  const wizards = entries.filter((entry) => entry.kind === 'wizard');
  const agents = wizards.map((wizard, index) => ({
    name: wizard.name,
    port: wizard.port,
    peer: (wizards[(index + 1) % wizards.length] ?? wizard).name,
  }));
  const started = new Set([bus.name, knowledge.name, dashboard.name, ...agents.map((agent) => agent.name)]);
  return {
    bus: planned(bus),
    knowledge: planned(knowledge),
    dashboard: planned(dashboard),
    agents,
    skipped: entries.filter((entry) => !started.has(entry.name)).map((entry) => entry.name),
  };
}
