import { DEFAULT_PORTS, deployHookRoutes, isFleetError } from '@fleet/sdk';
import {
  type DeployFunction,
  type DeployHookHistory,
  DeployQueue,
  handleWebhook,
  listHookDeploys,
  type WebhookTarget,
} from '@fleet/sdk/deploy';
import { createFleetServer, HttpError, implement } from '@fleet/sdk/server';
import { version } from '../version.ts';

/** Where a running deploy hook reports what it does; never given secrets or bodies. */
export interface DeployHookLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** Options of {@link startDeployHookServer}. */
export interface DeployHookServerOptions extends WebhookTarget {
  /** Runs one deploy of a pushed commit; never two at once. */
  run: DeployFunction;
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
  /** Port to bind; 0 picks a free one. @default 8653 */
  port?: number;
  /** Bearer tokens `GET /deploys` needs (the webhook itself is authenticated by its signature). @default [] */
  tokens?: string[];
  /** How many deliveries, commits and jobs are remembered. @default 1000 */
  remember?: number;
  /** JSON file that keeps them across restarts (see `DeployQueue`). @default in memory only */
  stateFile?: string;
  /** Where deploys and failures are reported. @default silent */
  logger?: DeployHookLogger;
  /**
   * Reads the deployer's recorded runs for `GET /deploys` (`fleet deploy hook` reads the history
   * on the fleet's lock host, see `fleetDeployHistory`); when it throws, the answer has the
   * jobs and a `historyError`.
   * @default none: `GET /deploys` lists only the hook's own jobs
   */
  history?: DeployHookHistory;
}

/** A deploy hook that is listening. */
export interface RunningDeployHookServer {
  /** Base URL, e.g. `http://127.0.0.1:8653`. */
  url: string;
  /** The queue its deliveries go to. */
  queue: DeployQueue;
  /** Stops accepting requests, then waits for the running and queued deploys. */
  close(): Promise<void>;
}

/** The challenge of a refused delivery's 401: the HMAC-SHA256 signature headers it needs. */
const SIGNATURE_CHALLENGE = 'HMAC-SHA256 realm="fleet deploy hook", headers="X-Hub-Signature-256 X-Gitea-Signature"';

const silent: DeployHookLogger = { info() {}, warn() {}, error() {} };

/** Refuses options that would run an unsigned or unusable hook. */
function checkTarget(options: DeployHookServerOptions): string[] {
  const secrets = options.secrets.filter((secret) => secret.trim() !== '');
  if (secrets.length === 0) throw new TypeError('The deploy hook needs a secret: there is no unsigned mode');
  if (secrets.length > 2) throw new TypeError(`At most two secrets may be active (rotation), got ${secrets.length}`);
  if (!/^[^/\s]+\/[^/\s]+$/.test(options.repository)) {
    throw new TypeError(`repository must be owner/name, got "${options.repository}"`);
  }
  if (options.ref.trim() === '') throw new TypeError('ref must not be empty');
  return secrets;
}

/**
 * Starts `fleet deploy hook`: `POST /webhook` takes signed GitHub or Gitea deliveries and deploys
 * pushes to one repository and ref in the background (202 at once), one deploy at a time;
 * `GET /deploys` lists the recent deploys (the hook's own, and the deployer's history with `history`); `/health`, `/metrics` and `/openapi.json` as every
 * Fleet server. Throws a `TypeError` without a secret.
 *
 * @example
 * const hook = await startDeployHookServer({
 *   secrets: [process.env.FLEET_DEPLOY_SECRET!], repository: 'ops/fleet', ref: 'refs/heads/main',
 *   run: async ({ commit }) => (await deploy({ mode: 'apply', trigger: 'webhook', commit })).run,
 * });
 */
export async function startDeployHookServer(options: DeployHookServerOptions): Promise<RunningDeployHookServer> {
  const secrets = checkTarget(options);
  const logger = options.logger ?? silent;
  const target: WebhookTarget = { secrets, repository: options.repository, ref: options.ref };
  const queue = new DeployQueue({
    remember: options.remember ?? 1000,
    ...(options.stateFile === undefined ? {} : { stateFile: options.stateFile }),
    deploy: async (job) => {
      logger.info(
        `deploying ${job.commit} (delivery ${job.deliveryId}${job.pusher ? `, pushed by ${job.pusher}` : ''})`,
      );
      const outcome = await options.run(job);
      logger.info(`deploy of ${job.commit}: ${outcome.status}`);
      return outcome;
    },
    onError: (error, job) => logger.error(`deploy of ${job.commit} failed:`, error),
  });
  const server = createFleetServer({
    service: 'fleet-deploy-hook',
    version,
    tokens: options.tokens ?? [],
    // Forges (GitHub, Gitea) call the webhook by its public name, and a signature cannot be rebound:
    // no Host allow-list.
    allowedHosts: ['*'],
    logger,
    health: () => {
      const [latest] = queue.jobs(1);
      return latest ? { latest: { commit: latest.commit, status: latest.status } } : {};
    },
    routes: [
      implement(deployHookRoutes.webhook, async (ctx) => {
        const rawBody = await ctx.rawBody();
        try {
          return handleWebhook({ rawBody, headers: ctx.event.req.headers }, target, queue);
        } catch (error) {
          // A 401 names how to authenticate (RFC 9110): here a signature, not a bearer token.
          if (isFleetError(error) && error.code === 'unauthorized') {
            throw new HttpError('unauthorized', error.message, {
              headers: { 'www-authenticate': SIGNATURE_CHALLENGE },
            });
          }
          throw error;
        }
      }),
      implement(deployHookRoutes.deploys, ({ query, signal }) =>
        listHookDeploys(queue, {
          limit: query.limit,
          signal,
          ...(options.history === undefined ? {} : { history: options.history }),
        }),
      ),
    ],
  });
  // The webhook authenticates each delivery by its signature, so it may listen beyond loopback
  // without bearer tokens (forges cannot send one); tokens, when given, guard GET /deploys.
  const address = await server.listen({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? DEFAULT_PORTS.deployHook,
    insecure: true,
  });
  let closing: Promise<void> | undefined;
  return {
    url: address.url,
    queue,
    close() {
      closing ??= server.close().then(() => queue.close());
      return closing;
    },
  };
}
