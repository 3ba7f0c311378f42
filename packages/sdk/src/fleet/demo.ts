import { DEFAULT_PORTS } from '../contract/default-ports.ts';
import { urlHost } from './internal/address.ts';

/** Options of {@link demoFleetYaml}. */
export interface DemoFleetOptions {
  /** Address of the local host. @default '127.0.0.1' */
  address?: string;
  /** @default 8650 */
  busPort?: number;
  /** @default 8651 */
  knowledgePort?: number;
  /** @default 8652 */
  dashboardPort?: number;
  /**
   * The demo wizards (agents); each serves `GET /health` on its port.
   * @default [{ name: 'scout', port: 8661 }, { name: 'scribe', port: 8662 }]
   */
  wizards?: ReadonlyArray<{ name: string; port: number }>;
}

const DEFAULT_WIZARDS = [
  { name: 'scout', port: 8661, description: 'demo agent: sends work to scribe and records findings' },
  { name: 'scribe', port: 8662, description: 'demo agent: answers scout over the bus' },
];

function wizardBlock(wizard: { name: string; port: number; description?: string }, busUrl: string): string {
  return [
    `  ${wizard.name}:`,
    '    host: local',
    `    port: ${wizard.port}`,
    `    description: ${JSON.stringify(wizard.description ?? 'demo agent')}`,
    '    env:',
    `      FLEET_BUS_URL: ${busUrl}`,
  ].join('\n');
}

/**
 * The text of a fleet file describing a whole fleet on this machine: a bus, a knowledge node, the
 * dashboard and two demo wizards on one host. `fleet up` writes it when there is no `fleet.yaml`,
 * so the dashboard monitors the very services `fleet up` starts. Commented, so it doubles as a
 * guide to the format; it loads without problems.
 *
 * @example await writeFile('fleet.yaml', demoFleetYaml({ busPort: 8650 }));
 */
export function demoFleetYaml(options: DemoFleetOptions = {}): string {
  const address = options.address ?? '127.0.0.1';
  const busPort = options.busPort ?? DEFAULT_PORTS.bus;
  const wizards = options.wizards ?? DEFAULT_WIZARDS;
  const busUrl = `http://${urlHost(address)}:${busPort}`;
  const wizardText = wizards.map((wizard) => wizardBlock(wizard, busUrl)).join('\n\n');
  return `# fleet.yaml: the one description of this fleet. The monitor, the dashboard, the deployer and
# the agents all read it through @fleet/sdk; \`fleet doctor\` checks it and probes every target.
# Written by \`fleet up\` for a fleet on this machine; edit it freely.
version: 1
name: local-demo

# Machines, by name. \`address\` is an IP address or a DNS name; a remote host also gets
# \`ssh: { user: fleet, port: 22 }\` and \`groups: [gpu]\` for the deployer.
hosts:
  local:
    address: ${address.includes(':') ? JSON.stringify(address) : address}

# Services, by name. \`kind\` picks the health check: bus, knowledge and dashboard are probed at
# /health and must answer {"status": "ok"}; ollama must list its models at /api/tags; gitea,
# conduit, deploy-hook and custom have presets too. Health URLs are derived from the host's
# address and the port; override the check under \`health:\` (path, interval, timeout, conditions).
# Secrets are environment references, never literals: \`token: \${FLEET_BUS_TOKEN}\`.
services:
  bus:
    kind: bus
    host: local
    port: ${busPort}
    description: message bus (SQLite under ./.fleet/)

  knowledge:
    kind: knowledge
    host: local
    port: ${options.knowledgePort ?? DEFAULT_PORTS.knowledge}
    description: knowledge store node

  dashboard:
    kind: dashboard
    host: local
    port: ${options.dashboardPort ?? DEFAULT_PORTS.dashboard}
    description: this fleet's dashboard
    health:
      interval: 30s    # durations: 500ms, 30s, 2m, 1h
      timeout: 5s      # at most half the interval

  # A model server on a GPU host would look like this:
  # ollama:
  #   kind: ollama
  #   host: gpu1
  #   port: 11434

# Wizards: the agents, by name. Each serves GET /health on its port and must answer {"status": "ok"}
# (one with \`exec: [...]\`, a program of its own, need only answer 200); model, provider and env
# configure it (env values may reference the environment too: OPENAI_API_KEY: \${OPENAI_API_KEY}).
wizards:
${wizardText}
`;
}
