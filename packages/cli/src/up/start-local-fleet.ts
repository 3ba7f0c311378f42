import { join } from 'node:path';
import { startBusServer } from '@fleet/bus-server';
import { startDashboardServer } from '@fleet/dashboard';
import { startKnowledgeServer } from '@fleet/knowledge-server';
import type { FleetProblem } from '@fleet/sdk';
import { startDemoAgent } from '@fleet/sdk/demo';
import { knowledgePeers } from '@fleet/sdk/fleet';
import { version } from '../version.ts';
import { DEFAULT_FLEET_DIR, defaultFleetFile, prepareFleetFile } from './fleet-file.ts';
import { type Part, RunningParts } from './internal/running-parts.ts';
import { localPlan } from './local-plan.ts';
import { refuseMovedDemoAddress } from './refuse-moved-demo-address.ts';
import { refuseOpenServices } from './refuse-open-services.ts';

/** Where the servers report what goes wrong; never given tokens or bodies. */
type Logger = Pick<Console, 'info' | 'warn' | 'error'>;

/** Options of {@link startLocalFleet}. */
export interface LocalFleetOptions {
  /** Directory of the SQLite files, created when missing. @default '.fleet' */
  dir?: string;
  /**
   * The fleet file; the demo fleet file is written there when it does not exist.
   * @default './fleet.yaml' when it exists, else `<dir>/fleet.yaml` (see `defaultFleetFile`)
   */
  config?: string;
  /** Address every server and agent binds (and the demo fleet file's host address). @default '127.0.0.1' */
  host?: string;
  /** Time between two rounds of the demo agents, in ms. @default 3000 */
  agentIntervalMs?: number;
  /** Called with each step of the start, as a line to show (e.g. `starting the bus…`). */
  onProgress?: (step: string) => void;
  /** Where the servers and agents report failures. */
  logger?: Logger;
  /**
   * Stops the start: once it aborts, the start stops what already runs (at the end of the step in
   * progress) and rejects with the signal's reason. Stop a fleet that has started with `close()`.
   */
  signal?: AbortSignal;
}

/** Every URL of a running local fleet. */
export interface LocalFleetUrls {
  bus: string;
  knowledge: string;
  dashboard: string;
  /** One per demo agent (wizard), by name. */
  agents: Record<string, string>;
}

/** A local fleet that is running. */
export interface LocalFleet {
  /** The fleet file it runs. */
  config: string;
  /** True when the demo fleet file was written because there was none. */
  wroteConfig: boolean;
  /** Warnings of the fleet file (it loaded, but something deserves a look). */
  warnings: FleetProblem[];
  /** Services of the file it does not run (the dashboard still monitors them). */
  skipped: string[];
  urls: LocalFleetUrls;
  /**
   * Stops the agents, then the dashboard, the knowledge node and the bus. Idempotent. Every part
   * is stopped even when one fails to; then that failure is thrown.
   */
  close(): Promise<void>;
}

/**
 * Starts a whole fleet in this process, as the fleet file describes it: the bus, a knowledge
 * node and the dashboard on embedded SQLite under `dir`, and a demo agent per wizard exchanging
 * tasks and facts through them. Writes the demo fleet file first when there is none (by default
 * into `dir`, so the checkout it runs in stays clean). On a `host` that is not a loopback address,
 * throws before writing or starting anything when the bus, the knowledge node or the dashboard has
 * no token in the fleet file. Throws before starting anything, too, when the demo fleet file in
 * `dir` gives a part it runs another address than `host` (an earlier `fleet up --host` wrote it).
 * When any part cannot start (a port in use), stops what already runs and throws an `Error`
 * naming the part and the field to change, e.g.
 * `cannot start the bus: Port 8650 on 127.0.0.1 is already in use (services.bus.port in fleet.yaml)`.
 * Resolves once the parts it runs have been probed once; the services it does not run are probed
 * meanwhile, not waited for. When `signal` aborts before it has started (the first probes
 * included), stops what runs at once and rejects with the signal's reason.
 *
 * @example
 * const fleet = await startLocalFleet({ dir: '.fleet' }); // ./fleet.yaml, or the demo in .fleet/fleet.yaml
 * console.log(fleet.urls.dashboard);
 * await fleet.close();
 */
export async function startLocalFleet(options: LocalFleetOptions = {}): Promise<LocalFleet> {
  const dir = options.dir ?? DEFAULT_FLEET_DIR;
  const config = options.config ?? (await defaultFleetFile(dir));
  const host = options.host ?? '127.0.0.1';
  const progress = options.onProgress ?? (() => {});
  const logger = options.logger ? { logger: options.logger } : {};
  const { signal } = options;
  signal?.throwIfAborted();

  // On an address others can reach, every server needs a token: refused before anything is
  // written or listens, rather than by the first server, with advice fleet up cannot take.
  const prepared = await prepareFleetFile(config, host, (fleet, demo) =>
    refuseOpenServices(localPlan(fleet), host, config, demo),
  );
  if (prepared.wrote) progress(`no fleet file: wrote the demo fleet file ${config} (edit it to describe your fleet)`);
  const plan = localPlan(prepared.fleet);
  // The demo file of an earlier `fleet up --host <other>`: its probes would all miss.
  refuseMovedDemoAddress(prepared.fleet, plan, host, config, dir);

  // Stopped last started first: agents (they finish and ack their task), the dashboard, then what
  // they all talk to. A failure to stop while cleaning up a failed start must not hide its cause.
  const running = new RunningParts((error) => options.logger?.error('while stopping after a failed start:', error));
  const close = () => running.stopAll();
  // A stop asked for during the start (Ctrl-C while it starts): what runs stops, and the caller
  // hears the signal's reason, never a fleet that is up. A part already starting finishes first.
  const stopIfAborted = async () => {
    if (!signal?.aborted) return;
    await close();
    throw signal.reason;
  };
  const start = async <T extends Part>(what: string, field: string, starting: () => Promise<T>) => {
    await stopIfAborted();
    progress(`starting ${what}…`);
    try {
      return await running.start(starting);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // A port in use is fixed in the fleet file: say where.
      const hint = /already in use/.test(reason) ? ` (${field} in ${config})` : '';
      throw new Error(`cannot start ${what}: ${reason}${hint}`, { cause: error });
    }
  };

  const { bus, knowledge, dashboard } = plan;
  const busServer = await start('the bus', `services.${bus.name}.port`, () =>
    startBusServer({ host, port: bus.port, db: join(dir, 'fleet-bus.db'), ...tokens(bus.token), ...logger }),
  );
  const knowledgeServer = await start('the knowledge node', `services.${knowledge.name}.port`, () =>
    startKnowledgeServer({
      host,
      port: knowledge.port,
      db: join(dir, 'fleet-knowledge.db'),
      // Like `fleet-knowledge server --config`: the service name is the node id, and the file's
      // other knowledge services (on other hosts) are its sync peers.
      nodeId: knowledge.name,
      peers: knowledgePeers(prepared.fleet, knowledge.name),
      ...tokens(knowledge.token),
      ...logger,
    }),
  );
  const dashboardServer = await start('the dashboard', `services.${dashboard.name}.port`, () =>
    startDashboardServer({
      config,
      host,
      port: dashboard.port,
      db: join(dir, 'fleet-dashboard.db'),
      ...tokens(dashboard.token),
      ...logger,
    }),
  );
  const agents: Record<string, string> = {};
  for (const agent of plan.agents) {
    const started = await start(`the demo agent ${agent.name}`, `wizards.${agent.name}.port`, () =>
      startDemoAgent({
        name: agent.name,
        peer: agent.peer,
        host,
        port: agent.port,
        busUrl: busServer.url,
        knowledgeUrl: knowledgeServer.url,
        version,
        ...(bus.token !== undefined ? { busToken: bus.token } : {}),
        ...(knowledge.token !== undefined ? { knowledgeToken: knowledge.token } : {}),
        ...(options.agentIntervalMs !== undefined ? { intervalMs: options.agentIntervalMs } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      }),
    );
    agents[agent.name] = started.url;
  }
  await stopIfAborted();
  // Probe what it started once now, so the dashboard shows the fleet up at once rather than
  // `unknown` until each target's first scheduled probe (spread over its interval). Only that is
  // waited for, and only until a stop is asked for: the services it does not run (another host,
  // one that never answers) are probed meanwhile, and must not hold up "up" for their timeouts.
  progress('probing every target once…');
  const { monitor } = dashboardServer;
  // The monitor's target ids are the names of the file's services and wizards.
  const skipped = new Set(plan.skipped);
  const [others, ours] = partition(
    monitor.statuses().map((status) => status.id),
    (id) => skipped.has(id),
  );
  const firstProbe = monitor.probeNow(ours, signal ? { signal } : {});
  void monitor.probeNow(others).catch((error: unknown) => options.logger?.warn('first probe failed:', error));
  await firstProbe.catch((error: unknown) => {
    if (!signal?.aborted) options.logger?.warn('first probe failed:', error);
  });
  await stopIfAborted();

  let closed: Promise<void> | undefined;
  return {
    config,
    wroteConfig: prepared.wrote,
    warnings: prepared.warnings,
    skipped: plan.skipped,
    urls: { bus: busServer.url, knowledge: knowledgeServer.url, dashboard: dashboardServer.url, agents },
    close: () => {
      closed ??= close();
      return closed;
    },
  };
}

/** The items of `items` that pass `test`, then the others. */
function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

function tokens(token: string | undefined): { tokens?: string[] } {
  return token !== undefined ? { tokens: [token] } : {};
}
