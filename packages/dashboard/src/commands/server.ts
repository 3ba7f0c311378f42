import { DEFAULT_PORTS } from '@fleet/sdk';
import {
  allowedHostsFrom,
  numberArg,
  output,
  repeatedValues,
  strictArgs,
  tokensFrom,
  UsageError,
  untilSignal,
} from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { startDashboardServer } from '../start-dashboard-server.ts';
import { TrustedProxies } from '../trusted-proxies.ts';

/** `fleet-dashboard server` (or just `fleet-dashboard`): serves the dashboard until SIGINT or SIGTERM. */
export const serverCommand = defineCommand({
  meta: { name: 'server', description: 'Monitor the fleet of a fleet file and serve its dashboard (the default)' },
  plugins: [strictArgs],
  args: {
    config: {
      type: 'string',
      description: 'The fleet file; reloaded when it changes',
      default: './fleet.yaml',
      valueHint: 'path',
    },
    host: { type: 'string', description: 'Address to bind', default: '127.0.0.1', valueHint: 'host' },
    port: {
      type: 'string',
      description: 'Port to bind (0 picks a free one)',
      default: String(DEFAULT_PORTS.dashboard),
      valueHint: 'port',
    },
    db: {
      type: 'string',
      description: "SQLite file of the monitor's history, or :memory:",
      default: './fleet-dashboard.db',
      valueHint: 'path',
    },
    token: {
      type: 'string',
      description: 'Accepted bearer token; repeatable, merged with $FLEET_DASHBOARD_TOKENS',
      valueHint: 'token',
    },
    'trust-proxy': {
      type: 'string',
      description: 'A TLS-terminating proxy (IP or CIDR) whose X-Forwarded-Proto is believed; repeatable',
      valueHint: 'addr',
    },
    'allowed-host': {
      type: 'string',
      description:
        'Without tokens: a Host name to answer besides addresses and localhost (.domain for subdomains, * for any); repeatable, merged with $FLEET_ALLOWED_HOSTS',
      valueHint: 'name',
    },
    insecure: { type: 'boolean', description: 'Allow a non-loopback address without tokens', default: false },
  },
  async run({ args, rawArgs }) {
    const port = numberArg(args.port, 'port', { integer: true, min: 0, max: 65_535 }) ?? DEFAULT_PORTS.dashboard;
    const allowedHosts = allowedHostsFrom(rawArgs);
    const tokens = tokensFrom(rawArgs, 'FLEET_DASHBOARD_TOKENS');
    const trustProxy = repeatedValues(rawArgs, 'trust-proxy');
    try {
      new TrustedProxies(trustProxy);
    } catch (error) {
      throw new UsageError(`--trust-proxy: ${(error as Error).message}`);
    }
    const stop = untilSignal();
    try {
      const server = await startDashboardServer({
        config: args.config,
        host: args.host,
        port,
        db: args.db,
        insecure: args.insecure,
        ...(tokens.length > 0 ? { tokens } : {}),
        ...(allowedHosts.length > 0 ? { allowedHosts } : {}),
        ...(trustProxy.length > 0 ? { trustProxy } : {}),
        logger: { info: output.info, warn: output.warn, error: output.error },
      });
      output.log(`fleet-dashboard listening on ${server.url}`);
      if (!stop.signal.aborted) {
        await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
      }
      await server.close();
    } finally {
      stop.dispose();
    }
  },
});
