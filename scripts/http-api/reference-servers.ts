import { startBusServer } from '@fleet/bus-server';
import { type DashboardServerOptions, startDashboardServer } from '@fleet/dashboard';
import { startDeployHookServer } from '@fleet/deployer';
import { startKnowledgeServer } from '@fleet/knowledge-server';
import { defaultServerUrl } from '@fleet/sdk';
import type { ShellTarget } from './example-request.ts';
import type { OpenApiDocument } from './openapi-document.ts';

/** A server the reference documents, as its section introduces it. */
export interface ReferenceService extends ShellTarget {
  /** Section heading, e.g. "Message bus (`fleet-bus`)". */
  title: string;
  /** One paragraph under the heading. */
  intro: string;
  /** The server's `GET /openapi.json`. */
  doc: OpenApiDocument;
  /** The secret its signed routes check while the reference runs it (`secretEnv`'s value for its examples). */
  secret?: string;
}

/** A documented server, running on a free port. */
export interface RunningReferenceService extends ReferenceService {
  /** Where it listens, e.g. `http://127.0.0.1:40123`. */
  url: string;
}

/** The servers running on free ports over in-memory stores, and how to stop them. */
export interface ReferenceServers {
  services: RunningReferenceService[];
  close(): Promise<void>;
}

/** The deploy webhook's secret while the reference runs it. */
const REFERENCE_SECRET = 'reference-secret';

const emptyFleet: NonNullable<DashboardServerOptions['fleet']> = { version: 1, hosts: {}, services: {}, wizards: {} };

const servers = [
  {
    title: 'Message bus (`fleet-bus`)',
    intro:
      'Queues, leases, topics and dead letters. Start it with `fleet-bus server` (or `fleet up`); the `fleet-bus` commands take the same URL and token variables as the examples.',
    urlEnv: 'FLEET_BUS_URL',
    defaultUrl: defaultServerUrl('bus'),
    tokenEnv: 'FLEET_BUS_TOKEN',
    start: () => startBusServer({ port: 0, db: ':memory:' }),
  },
  {
    title: 'Knowledge store (`fleet-knowledge`)',
    intro:
      'Facts that every node replicates, and the sync routes its peers call. Start it with `fleet-knowledge server` (or `fleet up`).',
    urlEnv: 'FLEET_KNOWLEDGE_URL',
    defaultUrl: defaultServerUrl('knowledge'),
    tokenEnv: 'FLEET_KNOWLEDGE_TOKEN',
    start: () => startKnowledgeServer({ port: 0, db: ':memory:', syncIntervalMs: 0, gcIntervalMs: 0 }),
  },
  {
    title: 'Dashboard (`fleet-dashboard`)',
    intro:
      "The fleet's health as JSON, the live event stream of its page, and the HTML pages and badges. Start it with `fleet-dashboard` (or `fleet up`).",
    urlEnv: 'FLEET_DASHBOARD_URL',
    defaultUrl: defaultServerUrl('dashboard'),
    tokenEnv: 'FLEET_DASHBOARD_TOKEN',
    start: () => startDashboardServer({ port: 0, db: ':memory:', fleet: emptyFleet, probe: false }),
  },
  {
    title: 'Deploy webhook (`fleet deploy hook`)',
    intro:
      "Signed GitHub and Gitea push deliveries that deploy one repository and ref, one deploy at a time, and the recent deploys with the deployer's history. Start it with `fleet deploy hook` (or as a `deploy-hook` service of the fleet file); `POST /webhook` is authenticated by its signature, not a token (a missing or wrong signature is 401 `unauthorized`), the other routes by the token.",
    urlEnv: 'FLEET_DEPLOY_HOOK_URL',
    defaultUrl: defaultServerUrl('deployHook'),
    tokenEnv: 'FLEET_DEPLOY_HOOK_TOKEN',
    secretEnv: 'FLEET_DEPLOY_SECRET',
    secret: REFERENCE_SECRET,
    // A secret is required (there is no unsigned mode); the reference never deploys anything.
    start: () =>
      startDeployHookServer({
        port: 0,
        secrets: [REFERENCE_SECRET],
        repository: 'ops/fleet',
        ref: 'refs/heads/main',
        run: async () => ({ status: 'ok' }),
      }),
  },
] as const;

/**
 * Starts the bus, a knowledge node, the dashboard and the deploy webhook as their bins do (on free ports, in memory,
 * without tokens) and reads each one's `GET /openapi.json`: the reference documents exactly what
 * the servers serve, with no second list of routes.
 */
export async function startReferenceServers(): Promise<ReferenceServers> {
  const running: Array<{ close(): Promise<void> }> = [];
  const close = async () => {
    await Promise.all(running.map((server) => server.close()));
  };
  try {
    const services: RunningReferenceService[] = [];
    for (const { start, ...service } of servers) {
      const server = await start();
      running.push(server);
      const answer = await fetch(`${server.url}/openapi.json`);
      if (!answer.ok) throw new Error(`${service.title}: GET /openapi.json answered ${answer.status}`);
      services.push({ ...service, url: server.url, doc: (await answer.json()) as OpenApiDocument });
    }
    return { services, close };
  } catch (error) {
    await close();
    throw error;
  }
}
