import { DEFAULT_PORTS, isFleetError } from '@fleet/sdk';
import {
  allowedHostsFrom,
  durationArg,
  numberArg,
  output,
  repeatedValues,
  strictArgs,
  tokensFrom,
  UsageError,
  untilSignal,
} from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { parsePeerSpec } from '../peer-specs.ts';
import { startKnowledgeServer } from '../server.ts';
import { fleetSettings, given } from './internal/fleet-settings.ts';

/** Every `--peer`, checked before anything starts. */
function peersFrom(rawArgs: readonly string[]): string[] {
  const peers = repeatedValues(rawArgs, 'peer');
  for (const peer of peers) {
    try {
      parsePeerSpec(peer);
    } catch (error) {
      throw new UsageError(`--peer: ${isFleetError(error) ? error.message : String(error)}`);
    }
  }
  return peers;
}

/** `fleet-knowledge server`: runs a knowledge node until SIGINT or SIGTERM, then closes cleanly. */
export const serverCommand = defineCommand({
  meta: { name: 'server', description: 'Run a knowledge server (one node of the federated store)' },
  plugins: [strictArgs],
  args: {
    host: { type: 'string', description: 'Address to bind', default: '127.0.0.1', valueHint: 'host' },
    port: {
      type: 'string',
      description: 'Port to bind (0 picks a free one)',
      default: String(DEFAULT_PORTS.knowledge),
      valueHint: 'port',
    },
    db: { type: 'string', description: 'SQLite file, or :memory:', default: './fleet-knowledge.db', valueHint: 'path' },
    'node-id': {
      type: 'string',
      description: "This node's id (default: the stored one, or a generated one)",
      valueHint: 'id',
    },
    token: {
      type: 'string',
      description: 'Accepted bearer token; repeatable, merged with $FLEET_KNOWLEDGE_TOKENS',
      valueHint: 'token',
    },
    peer: { type: 'string', description: 'Peer to sync with, URL or ID=URL; repeatable', valueHint: 'url' },
    'peer-token': {
      type: 'string',
      description: 'Bearer token presented to the --peer peers (default: $FLEET_KNOWLEDGE_PEER_TOKEN)',
      valueHint: 'token',
    },
    'sync-interval': {
      type: 'string',
      description: 'How often to sync with the peers, e.g. 10s or 500ms; 0: only on demand (default: 10s)',
      valueHint: 'duration',
    },
    'gc-interval': {
      type: 'string',
      description: 'How often to collect tombstones and expired facts, e.g. 60s; 0: never (default: 60s)',
      valueHint: 'duration',
    },
    config: {
      type: 'string',
      description:
        'Fleet file: run as one of its knowledge services (its address, port, token and the other knowledge services as peers; the service name is the node id)',
      valueHint: 'path',
    },
    service: {
      type: 'string',
      description: 'With --config: the knowledge service this node is (default: the only one)',
      valueHint: 'name',
    },
    'allowed-host': {
      type: 'string',
      description:
        'Without tokens: a Host name to answer besides addresses and localhost (.domain for subdomains, * for any); repeatable, merged with $FLEET_ALLOWED_HOSTS',
      valueHint: 'name',
    },
    insecure: { type: 'boolean', description: 'Allow a non-loopback address without tokens', default: false },
    'body-limit': { type: 'string', description: 'Largest request body in bytes', valueHint: 'bytes' },
  },
  async run({ args, rawArgs }) {
    if (args.service !== undefined && args.config === undefined) throw new UsageError('--service needs --config');
    // SQLite would open a private temporary database, deleted on close: every fact written lost.
    if (args.db.trim() === '') throw new UsageError('--db is empty: give a SQLite file or :memory:');
    const fleet = args.config === undefined ? undefined : await fleetSettings(args.config, args.service);
    const port =
      fleet && !given(rawArgs, 'port')
        ? fleet.port
        : (numberArg(args.port, 'port', { integer: true, min: 0, max: 65_535 }) ?? DEFAULT_PORTS.knowledge);
    const bodyLimitBytes = numberArg(args['body-limit'], 'body-limit', { integer: true, min: 1 });
    const syncIntervalMs = durationArg(args['sync-interval'], 'sync-interval');
    const gcIntervalMs = durationArg(args['gc-interval'], 'gc-interval');
    const peers = peersFrom(rawArgs);
    const peerToken = args['peer-token'] || process.env.FLEET_KNOWLEDGE_PEER_TOKEN;
    const allowedHosts = allowedHostsFrom(rawArgs);
    const tokens = [
      ...tokensFrom(rawArgs, 'FLEET_KNOWLEDGE_TOKENS'),
      ...(fleet?.token !== undefined ? [fleet.token] : []),
    ];
    const nodeId = args['node-id'] ?? fleet?.nodeId;
    const stop = untilSignal();
    try {
      const server = await startKnowledgeServer({
        host: fleet && !given(rawArgs, 'host') ? fleet.bind : args.host,
        port,
        db: args.db,
        insecure: args.insecure,
        peers: [...(fleet?.peers ?? []), ...peers],
        ...(nodeId !== undefined ? { nodeId } : {}),
        ...(peerToken ? { peerToken } : {}),
        ...(syncIntervalMs !== undefined ? { syncIntervalMs } : {}),
        ...(gcIntervalMs !== undefined ? { gcIntervalMs } : {}),
        ...(tokens.length > 0 ? { tokens } : {}),
        ...(allowedHosts.length > 0 ? { allowedHosts } : {}),
        ...(bodyLimitBytes !== undefined ? { bodyLimitBytes } : {}),
        logger: { info: output.info, warn: output.warn, error: output.error },
      });
      output.log(`fleet-knowledge ${server.nodeId} listening on ${server.url}`);
      if (!stop.signal.aborted) {
        await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
      }
      await server.close();
    } finally {
      stop.dispose();
    }
  },
});
