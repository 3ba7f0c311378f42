import { DEFAULT_PORTS } from '@fleet/sdk';
import { allowedHostsFrom, numberArg, output, strictArgs, tokensFrom, UsageError, untilSignal } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { expandEnvRefs } from '../internal/database-url.ts';
import { startBusServer } from '../server.ts';

/** `fleet-bus server`: runs the bus until SIGINT or SIGTERM, then closes cleanly. */
export const serverCommand = defineCommand({
  meta: { name: 'server', description: 'Run the message bus server' },
  plugins: [strictArgs],
  args: {
    host: { type: 'string', description: 'Address to bind', default: '127.0.0.1', valueHint: 'host' },
    port: {
      type: 'string',
      description: 'Port to bind (0 picks a free one)',
      default: String(DEFAULT_PORTS.bus),
      valueHint: 'port',
    },
    db: {
      type: 'string',
      description: `SQLite file, :memory:, or postgres://user@host:port/database (replicas may share one); $\{NAME} reads $NAME, e.g. a password. Default $FLEET_BUS_DB, else ./fleet-bus.db`,
      valueHint: 'path|url',
    },
    token: {
      type: 'string',
      description: 'Accepted bearer token; repeatable, merged with $FLEET_BUS_TOKENS',
      valueHint: 'token',
    },
    'allowed-host': {
      type: 'string',
      description:
        'Without tokens: a Host name to answer besides addresses and localhost (.domain for subdomains, * for any); repeatable, merged with $FLEET_ALLOWED_HOSTS',
      valueHint: 'name',
    },
    insecure: { type: 'boolean', description: 'Allow a non-loopback address without tokens', default: false },
    durability: {
      type: 'enum',
      options: ['normal', 'fsync'],
      description: 'normal survives a crash, fsync also a power loss',
      default: 'normal',
    },
    'body-limit': { type: 'string', description: 'Largest request body in bytes', valueHint: 'bytes' },
  },
  async run({ args, rawArgs }) {
    const port = numberArg(args.port, 'port', { integer: true, min: 0, max: 65_535 }) ?? DEFAULT_PORTS.bus;
    const bodyLimitBytes = numberArg(args['body-limit'], 'body-limit', { integer: true, min: 1 });
    const allowedHosts = allowedHostsFrom(rawArgs);
    const tokens = tokensFrom(rawArgs, 'FLEET_BUS_TOKENS');
    const db = expandEnvRefs(args.db ?? process.env.FLEET_BUS_DB ?? './fleet-bus.db');
    // SQLite would open a private temporary database, deleted on close: acknowledged sends lost.
    if (db.trim() === '') {
      throw new UsageError('--db (or $FLEET_BUS_DB) is empty: give a SQLite file, a postgres:// URL or :memory:');
    }
    const stop = untilSignal();
    try {
      const server = await startBusServer({
        host: args.host,
        port,
        db,
        insecure: args.insecure,
        durability: args.durability === 'fsync' ? 'fsync' : 'normal',
        ...(tokens.length > 0 ? { tokens } : {}),
        ...(allowedHosts.length > 0 ? { allowedHosts } : {}),
        ...(bodyLimitBytes !== undefined ? { bodyLimitBytes } : {}),
        logger: { info: output.info, warn: output.warn, error: output.error },
      });
      // Read back from SQLite: what the store really does, whatever the flag said.
      const durability = server.durability ? ` (durability ${server.durability})` : '';
      output.log(`fleet-bus listening on ${server.url}${durability}`);
      if (!stop.signal.aborted) {
        await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
      }
      await server.close();
    } finally {
      stop.dispose();
    }
  },
});
