import { AgentName, createHttpClient, defaultServerUrl } from '@fleet/sdk';
import { assertTokenArg, numberArg, output, strictArgs, UsageError, untilSignal } from '@fleet/sdk/cli';
import { startDemoAgent } from '@fleet/sdk/demo';
import { defineCommand } from 'citty';
import { version } from '../version.ts';

/**
 * The URL of a server the agent talks to: `--<flag>`, else `$<envVar>`, else the default, checked
 * up front as its client will check it (a bad one is a usage error, exit 2).
 */
function serverUrl(value: string | undefined, flag: string, envVar: string, server: 'bus' | 'knowledge'): string {
  const url = value ?? process.env[envVar] ?? defaultServerUrl(server);
  try {
    createHttpClient({ baseUrl: url });
  } catch (error) {
    throw new UsageError(`${value === undefined ? `$${envVar}` : `--${flag}`}: ${(error as Error).message}`);
  }
  return url;
}

/**
 * `fleet agent`: one demo agent (what `fleet up` runs per wizard) in this process until SIGINT or
 * SIGTERM. The deployer runs it as a wizard's default program, configured by the environment the
 * wizard's unit sets (`FLEET_WIZARD`, `FLEET_PEER`, `FLEET_BUS_URL`, `FLEET_KNOWLEDGE_URL`,
 * `FLEET_BUS_TOKEN`, `FLEET_KNOWLEDGE_TOKEN`, `HOST`, `PORT`); flags override it.
 */
export const agentCommand = defineCommand({
  meta: { name: 'agent', description: 'Run one demo agent (a wizard) until stopped' },
  plugins: [strictArgs],
  args: {
    name: { type: 'string', description: 'Its name and bus queue (default: $FLEET_WIZARD)', valueHint: 'name' },
    peer: { type: 'string', description: 'The agent it sends tasks to (default: $FLEET_PEER, else itself)' },
    bus: { type: 'string', description: 'Bus URL (default: $FLEET_BUS_URL)', valueHint: 'url' },
    knowledge: { type: 'string', description: 'Knowledge node URL (default: $FLEET_KNOWLEDGE_URL)', valueHint: 'url' },
    host: { type: 'string', description: 'Address of its health endpoint (default: $HOST, else 127.0.0.1)' },
    port: { type: 'string', description: 'Port of its health endpoint (default: $PORT, else a free one)' },
  },
  async run({ args }) {
    const env = process.env;
    const name = args.name ?? env.FLEET_WIZARD;
    if (!name) throw new UsageError('name the agent: --name NAME or FLEET_WIZARD=NAME');
    const peer = args.peer ?? env.FLEET_PEER ?? name;
    // The bus refuses any other name on every send and receive: the agent would run doing nothing.
    for (const [option, value] of [
      ['--name', name],
      ['--peer', peer],
    ] as const) {
      const parsed = AgentName.safeParse(value);
      if (!parsed.success) throw new UsageError(`${option} ${value}: ${parsed.error.issues[0]?.message}`);
    }
    const port = numberArg(args.port ?? env.PORT, 'port', { integer: true, min: 0, max: 65_535 }) ?? 0;
    const busUrl = serverUrl(args.bus, 'bus', 'FLEET_BUS_URL', 'bus');
    const knowledgeUrl = serverUrl(args.knowledge, 'knowledge', 'FLEET_KNOWLEDGE_URL', 'knowledge');
    assertTokenArg(env.FLEET_BUS_TOKEN, '$FLEET_BUS_TOKEN');
    assertTokenArg(env.FLEET_KNOWLEDGE_TOKEN, '$FLEET_KNOWLEDGE_TOKEN');
    const stop = untilSignal();
    try {
      const agent = await startDemoAgent({
        name,
        peer,
        busUrl,
        knowledgeUrl,
        host: args.host ?? env.HOST ?? '127.0.0.1',
        port,
        version,
        signal: stop.signal,
        logger: { warn: output.warn },
        ...(env.FLEET_BUS_TOKEN ? { busToken: env.FLEET_BUS_TOKEN } : {}),
        ...(env.FLEET_KNOWLEDGE_TOKEN ? { knowledgeToken: env.FLEET_KNOWLEDGE_TOKEN } : {}),
      });
      output.log(`agent ${name} listening on ${agent.url}`);
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
      await agent.close();
    } finally {
      stop.dispose();
    }
  },
});
