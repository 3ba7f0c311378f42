import { BusClient } from '../bus/bus-client.ts';
import { KnowledgeClient } from '../knowledge/knowledge-client.ts';
import type { Health } from '../schemas/health.ts';
import { consumeTasks, type DemoLoopContext, runTicks } from './internal/demo-loop.ts';
import { listenHealth } from './internal/health-server.ts';
import type { DemoAgentStats } from './schema.ts';

/** Options of {@link startDemoAgent}. */
export interface DemoAgentOptions {
  /**
   * The agent's name: its bus queue, and the prefix of its facts (`demo/<name>/...`).
   * @example 'scout'
   */
  name: string;
  /**
   * The agent it sends its tasks to.
   * @example 'scribe'
   */
  peer: string;
  /** @example 'http://127.0.0.1:8650' */
  busUrl: string;
  /** @example 'http://127.0.0.1:8651' */
  knowledgeUrl: string;
  /** Bearer token for the bus. */
  busToken?: string;
  /** Bearer token for the knowledge node. */
  knowledgeToken?: string;
  /** Address the health endpoint binds. @default '127.0.0.1' */
  host?: string;
  /** Port of the health endpoint (the wizard's port in the fleet file); 0 picks a free one. @default 0 */
  port?: number;
  /** Time between two rounds of sending tasks and publishing facts, in ms. @default 3000 */
  intervalMs?: number;
  /** How long handling one task takes, in ms (so the bus shows a backlog now and then). @default 400 */
  workMs?: number;
  /** Stops the agent, like `close()`. */
  signal?: AbortSignal;
  /** Where failures the agent survives are reported (each distinct one once in a row). @default silent */
  logger?: Pick<Console, 'warn'>;
  /** Version reported by `/health`. @default '0.0.0' */
  version?: string;
}

/** A demo agent that is running. */
export interface RunningDemoAgent {
  /** Its name. */
  name: string;
  /** Base URL of its health endpoint, e.g. `http://127.0.0.1:8661`. */
  url: string;
  /** The bound port. */
  port: number;
  /** A copy of its counters. */
  stats(): DemoAgentStats;
  /** Stops both loops (the task in hand is finished and acked), then the health endpoint. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a demo agent: the smallest real Fleet agent. It serves `GET /health` (the Fleet `Health`
 * shape, its {@link DemoAgentStats} under `details`), sends a burst of one to three `demo.task`
 * messages to its peer through the bus every `intervalMs`, works through its own queue with
 * `consume()`, and publishes its counters as facts (`demo/<name>/status`,
 * `demo/<name>/last-task`) while reading its peer's. `fleet up` runs two of them so the dashboard
 * has live backlogs and facts to show. Resolves once the health endpoint listens (a port in use
 * rejects with a `FleetServerStartError`).
 *
 * @example
 * ```ts
 * const scout = await startDemoAgent({ name: 'scout', peer: 'scribe', busUrl, knowledgeUrl, port: 8661 });
 * // later
 * await scout.close();
 * ```
 */
export async function startDemoAgent(options: DemoAgentOptions): Promise<RunningDemoAgent> {
  const stop = new AbortController();
  const started = Date.now();
  const stats: DemoAgentStats = {
    agent: options.name,
    peer: options.peer,
    ticks: 0,
    sent: 0,
    received: 0,
    factsWritten: 0,
    factsRead: 0,
    lastError: null,
    receiving: true,
  };
  const health = (): Health => ({
    // Up but not working through its queue: degraded, so the dashboard says so.
    status: stats.receiving ? 'ok' : 'degraded',
    service: 'fleet-demo-agent',
    version: options.version ?? '0.0.0',
    uptimeSeconds: (Date.now() - started) / 1000,
    details: { ...stats },
  });
  const server = await listenHealth(options.host ?? '127.0.0.1', options.port ?? 0, health);

  const context: DemoLoopContext = {
    bus: new BusClient({ url: options.busUrl, ...(options.busToken ? { token: options.busToken } : {}) }),
    knowledge: new KnowledgeClient({
      url: options.knowledgeUrl,
      ...(options.knowledgeToken ? { token: options.knowledgeToken } : {}),
    }),
    stats,
    intervalMs: options.intervalMs ?? 3000,
    workMs: options.workMs ?? 400,
    signal: stop.signal,
    fail(error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== stats.lastError) options.logger?.warn(`demo agent ${options.name}: ${message}`);
      stats.lastError = message;
    },
  };
  const loops = Promise.all([runTicks(context), consumeTasks(context)]);

  let closed: Promise<void> | undefined;
  const onAbort = () => void close();
  const close = () => {
    closed ??= (async () => {
      options.signal?.removeEventListener('abort', onAbort);
      stop.abort();
      await loops;
      await server.close();
    })();
    return closed;
  };
  if (options.signal?.aborted) await close();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return { name: options.name, url: server.url, port: server.port, stats: () => ({ ...stats }), close };
}
