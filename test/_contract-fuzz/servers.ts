import { createBusServer, startBusServer } from '@fleet/bus-server';
import { startDashboardServer } from '@fleet/dashboard';
import { startDeployHookServer } from '@fleet/deployer';
import { startKnowledgeServer } from '@fleet/knowledge-server';
import {
  busRoutes,
  commonRoutes,
  dashboardRoutes,
  deployHookRoutes,
  knowledgeRoutes,
  type RouteContract,
} from '@fleet/sdk';
import { parseFleet } from '@fleet/sdk/fleet';
import { PostgresMessageStore } from '@fleet/sdk/stores';
import type { OpenApiDocument } from '../../scripts/http-api/openapi-document.ts';
import type { FieldOverrides } from './random-value.ts';
import type { OperationUnderTest } from './request-parts.ts';
import { type BodySigner, githubSigner } from './webhook-signature.ts';

/** The token every server is started with. */
export const TOKEN = 'contract-fuzz-token';

/** The sends whose examples reach the agent of `GET /stream`'s example (`coder`): one event each. */
const BUS_EVENT_CAUSES = { '/stream': { causes: ['POST /message', 'POST /messages/batch'] } };

/** The deploy hook's signing secret. */
const HOOK_SECRET = 'contract-fuzz-webhook-secret';
/** The repository and ref whose pushes the deploy hook deploys: those of its route's example. */
const HOOK_REPOSITORY = 'ops/fleet';
const HOOK_REF = 'refs/heads/main';

/**
 * What makes a stream opened with its example send events: documented operations (`POST /message`)
 * whose examples each cause at least one, after the events it sends `atOnce` (the current state).
 */
export interface EventCauses {
  causes: readonly string[];
  /** @default 0 */
  atOnce?: number;
}

/** A server under test: its URL, its documented operations and what it logged as failures. */
export interface ServerUnderTest {
  name: string;
  url: string;
  operations: OperationUnderTest[];
  /** `logger.error` and `logger.warn` lines since the last `drainLog()`: a 5xx's cause. */
  drainLog(): string[];
  /** Signs the requests of a route authenticated by a signature over its body (the deploy hook's). */
  signer?: BodySigner;
  /** The commits the deploy hook deployed: a recording function, which touches no host. */
  deployed?: string[];
  /** Values of fields the server acts on, besides the test's (the hook's pushed commit). */
  overrides?: FieldOverrides;
  /** What makes each documented event stream (by path) send events. */
  eventCauses?: Readonly<Record<string, EventCauses>>;
  close(): Promise<void>;
}

/** A fleet with the service and the wizard the dashboard's route examples name, on ports nothing (likely) answers. */
function dashboardFleet(port: number) {
  const { value, errors } = parseFleet(`version: 1
hosts:
  local: { address: 127.0.0.1 }
services:
  bus: { kind: custom, host: local, port: ${port}, health: { path: /health } }
wizards:
  scout: { host: local, port: ${port + 1} }
`);
  if (!value) throw new Error(`fleet: ${JSON.stringify(errors)}`);
  return value;
}

function capturingLogger(lines: string[]): Pick<Console, 'info' | 'warn' | 'error'> {
  const record = (...args: unknown[]) =>
    lines.push(args.map((arg) => (arg instanceof Error ? (arg.stack ?? arg.message) : String(arg))).join(' '));
  return { info() {}, warn: record, error: record };
}

/** Contracts by documented operation, `GET /facts/{key}`. */
function contractTable(routes: ReadonlyArray<RouteContract>): Map<string, RouteContract> {
  return new Map(routes.map((route) => [`${route.method} ${route.path.replace(/(?:\*\*)?:(\w+)/g, '{$1}')}`, route]));
}

/**
 * Starts the bus, a knowledge node and the dashboard on port 0 with a token, in memory, and reads
 * each one's `GET /openapi.json`; every documented operation is paired with the route contract it
 * was generated from (a documented operation without one fails here).
 */
export async function startServersUnderTest(closedPort: number): Promise<ServerUnderTest[]> {
  const starts = [
    {
      name: 'bus',
      eventCauses: BUS_EVENT_CAUSES,
      routes: Object.values(busRoutes),
      start: (logger: ReturnType<typeof capturingLogger>) =>
        startBusServer({ port: 0, db: ':memory:', tokens: [TOKEN], logger }),
    },
    {
      name: 'knowledge',
      // The example fact's key is under the example prefix.
      eventCauses: { '/watch': { causes: ['POST /fact'] } },
      routes: Object.values(knowledgeRoutes),
      start: (logger: ReturnType<typeof capturingLogger>) =>
        startKnowledgeServer({ port: 0, db: ':memory:', syncIntervalMs: 0, gcIntervalMs: 0, tokens: [TOKEN], logger }),
    },
    {
      name: 'dashboard',
      // The overview comes at once; a deploy event changes it.
      eventCauses: { '/api/events': { causes: ['POST /api/deploys/events'], atOnce: 1 } },
      routes: Object.values(dashboardRoutes),
      start: (logger: ReturnType<typeof capturingLogger>) =>
        startDashboardServer({
          port: 0,
          db: ':memory:',
          fleet: dashboardFleet(closedPort),
          probe: false,
          tokens: [TOKEN],
          logger,
        }),
    },
  ];
  const started: ServerUnderTest[] = [];
  try {
    for (const { name, routes, start, eventCauses } of starts) {
      const lines: string[] = [];
      started.push({ ...(await underTest(name, routes, await start(capturingLogger(lines)), lines)), eventCauses });
    }
    started.push(await startDeployHookUnderTest());
    return started;
  } catch (error) {
    await Promise.all(started.map((server) => server.close()));
    throw error;
  }
}

/**
 * The deploy hook with a secret, deploying pushes to {@link HOOK_REPOSITORY} with a function that
 * records the commit and runs nothing: no fuzz request can reach a host.
 */
async function startDeployHookUnderTest(): Promise<ServerUnderTest> {
  const lines: string[] = [];
  const deployed: string[] = [];
  const hook = await startDeployHookServer({
    port: 0,
    secrets: [HOOK_SECRET],
    repository: HOOK_REPOSITORY,
    ref: HOOK_REF,
    tokens: [TOKEN],
    logger: capturingLogger(lines),
    run: async ({ commit }) => {
      deployed.push(commit);
      return { status: 'ok' };
    },
  });
  const under = await underTest('deploy hook', Object.values(deployHookRoutes), hook, lines);
  // A pushed commit must be a hash: the generator cannot make one up from the pattern alone.
  let commits = 0;
  const overrides = { after: () => (++commits).toString(16).padStart(40, 'c0ffee') };
  return { ...under, signer: githubSigner(deployHookRoutes.webhook.path, HOOK_SECRET), deployed, overrides };
}

/**
 * The bus over a `PostgresMessageStore` at `url` (a fresh database), on port 0 with a token: the
 * same contract as the SQLite bus, another store behind it.
 */
export async function startBusOnPostgres(url: string): Promise<ServerUnderTest> {
  const lines: string[] = [];
  const logger = capturingLogger(lines);
  const store = await PostgresMessageStore.open({ url });
  const server = createBusServer({ store, tokens: [TOKEN], logger });
  try {
    const address = await server.listen({ port: 0 });
    const under = await underTest(
      'bus on PostgreSQL',
      Object.values(busRoutes),
      { url: address.url, close: () => server.close() },
      lines,
    );
    return { ...under, eventCauses: BUS_EVENT_CAUSES };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Reads the server's `GET /openapi.json` and pairs every documented operation with its contract. */
async function underTest(
  name: string,
  routes: ReadonlyArray<RouteContract>,
  server: { url: string; close(): Promise<void> },
  lines: string[],
): Promise<ServerUnderTest> {
  const under: ServerUnderTest = {
    name,
    url: server.url,
    operations: [],
    drainLog: () => lines.splice(0),
    close: () => server.close(),
  };
  try {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDocument;
    const contracts = contractTable([...Object.values(commonRoutes), ...routes]);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const route = contracts.get(`${method.toUpperCase()} ${path}`);
        if (!route) throw new Error(`${name}: ${method.toUpperCase()} ${path} is documented but has no contract`);
        under.operations.push({ doc, method: method.toUpperCase(), path, operation, route });
      }
    }
    return under;
  } catch (error) {
    await server.close();
    throw error;
  }
}
