import { tokenProblem } from '../internal/token-value.ts';
import { UsageError } from './usage-error.ts';

/** Where a CLI's client commands find their server, e.g. the bus's `FLEET_BUS_URL`. */
export interface ClientEndpoint {
  /**
   * The server, as help texts name it.
   * @example 'Bus server'
   */
  label: string;
  /**
   * Environment variable with the default `--url`.
   * @example 'FLEET_BUS_URL'
   */
  urlEnv: string;
  /**
   * Environment variable with the default `--token`.
   * @example 'FLEET_BUS_TOKEN'
   */
  tokenEnv: string;
  /**
   * URL used when neither `--url` nor the environment variable is given.
   * @example 'http://127.0.0.1:8650'
   */
  defaultUrl: string;
}

/**
 * The options every client command takes: `--url`, `--token` and `--json`.
 *
 * @example
 * const clientArgs = defineClientArgs({ label: 'Bus server', urlEnv: 'FLEET_BUS_URL', tokenEnv: 'FLEET_BUS_TOKEN', defaultUrl: 'http://127.0.0.1:8650' });
 * defineCommand({ args: { ...clientArgs, agent: { type: 'string', required: true } }, run() {} });
 */
export function defineClientArgs(endpoint: ClientEndpoint) {
  return {
    url: {
      type: 'string',
      description: `${endpoint.label} URL (default: $${endpoint.urlEnv} or ${endpoint.defaultUrl})`,
      valueHint: 'url',
    },
    token: { type: 'string', description: `Bearer token (default: $${endpoint.tokenEnv})`, valueHint: 'token' },
    json: { type: 'boolean', description: 'Print the raw JSON response, for scripts', default: false },
  } as const;
}

/**
 * Throws a {@link UsageError} (exit 2) naming `source`, never the token, when `token` cannot be sent
 * as a bearer token (a line break in it, say); see `HttpClientOptions.token`.
 *
 * @example
 * assertTokenArg(process.env.FLEET_BUS_TOKEN, '$FLEET_BUS_TOKEN');
 */
export function assertTokenArg(token: string | undefined, source: string): void {
  const problem = token === undefined ? undefined : tokenProblem(token);
  if (problem) throw new UsageError(`${source}: invalid token: ${problem}; the token is not shown`);
}

/**
 * A client for the server named by `--url`/`--token` or their environment variables, built by
 * `create`; an invalid URL or token is a {@link UsageError} (exit 2) naming the option or variable
 * it came from.
 *
 * @example
 * const bus = clientFrom(args, endpoint, (options) => new BusClient(options));
 */
export function clientFrom<T>(
  args: {
    url?: string | undefined;
    token?: string | undefined;
    /**
     * Where `token` came from, for messages, when a caller resolved it otherwise.
     * @default '--token' for `token`, else `$<tokenEnv>`
     */
    tokenSource?: string | undefined;
  },
  endpoint: ClientEndpoint,
  create: (options: { url: string; token?: string }) => T,
): T {
  const url = args.url || process.env[endpoint.urlEnv] || endpoint.defaultUrl;
  const token = args.token || process.env[endpoint.tokenEnv];
  assertTokenArg(token, args.tokenSource ?? (args.token ? '--token' : `$${endpoint.tokenEnv}`));
  try {
    return create({ url, ...(token ? { token } : {}) });
  } catch (error) {
    // Token problems were caught above: what is left is the URL's, named as it was given.
    const urlSource = !args.url && process.env[endpoint.urlEnv] ? `$${endpoint.urlEnv}` : '--url';
    throw new UsageError(`${urlSource}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
