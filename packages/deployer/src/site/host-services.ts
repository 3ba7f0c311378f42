// biome-ignore-all lint/suspicious/noTemplateCurlyInString: systemd expands ${NAME} in ExecStart= from the unit's environment
import { DeployError, systemdCommandWord } from '@fleet/sdk/deploy';
import {
  bindAddress,
  fleetEntries,
  fleetEnvironment,
  fleetKnowledgeNode,
  fleetTargets,
  type NamedTarget,
  servicesOfKind,
  serviceUrl,
  unitOf,
} from '@fleet/sdk/fleet';
import { isLoopbackHost } from '@fleet/sdk/server';
import { execCommand } from './internal/exec-command.ts';
import { fleetSecrets } from './internal/fleet-secrets.ts';
import { unitCommand } from './internal/unit-command.ts';
import type { HostService, HostServicesInput } from './service-types.ts';
import { thirdPartyService } from './third-party.ts';

function bin(input: HostServicesInput, name: string): string {
  const path = input.bins[name];
  if (path === undefined) throw new DeployError('invalid_plan', `The release bundle has no ${name} bin`);
  return `${input.layout.current}/${path}`;
}

function requireToken(target: NamedTarget, bind: string): void {
  if (target.token === undefined && !isLoopbackHost(bind)) {
    throw new DeployError(
      'invalid_plan',
      `services.${target.name} would listen on ${bind} without a token: give it one (token: \${FLEET_${target.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TOKEN})`,
    );
  }
}

function fleetServer(input: HostServicesInput, target: NamedTarget, bind: string): Omit<HostService, keyof Common> {
  const { layout } = input;
  const state = layout.state(target.name);
  const config = `${layout.currentEtc}/fleet.yaml`;
  const fileEnv = fleetEnvironment(input.fleet);
  requireToken(target, bind);
  switch (target.kind) {
    case 'bus':
      return {
        execStart: unitCommand(
          [input.node, bin(input, 'fleet-bus'), 'server'],
          // After the expansions, where it has always been: the default layout's unit stays as it was.
          ['--host ${HOST}', '--port ${PORT}', `--db ${systemdCommandWord(`${state}/bus.db`)}`],
        ),
        env: { HOST: bind, PORT: String(target.port), ...(target.token ? { FLEET_BUS_TOKENS: target.token } : {}) },
        files: [],
      };
    case 'knowledge':
      return {
        execStart: unitCommand([
          input.node,
          bin(input, 'fleet-knowledge'),
          'server',
          '--config',
          config,
          '--service',
          target.name,
          '--db',
          `${state}/knowledge.db`,
        ]),
        env: { ...fileEnv },
        files: [],
      };
    case 'dashboard': {
      // The dashboard does not know which service of the file it is: its proxies come on its command line.
      const proxies = input.fleet.services[target.name]?.trustProxy ?? [];
      return {
        execStart: unitCommand(
          [
            input.node,
            bin(input, 'fleet-dashboard'),
            'server',
            '--config',
            config,
            '--db',
            `${state}/history.db`,
            ...proxies.flatMap((proxy) => ['--trust-proxy', proxy]),
          ],
          ['--host ${HOST}', '--port ${PORT}'],
        ),
        env: {
          ...fileEnv,
          HOST: bind,
          PORT: String(target.port),
          ...(target.token ? { FLEET_DASHBOARD_TOKENS: target.token } : {}),
        },
        files: [],
      };
    }
    case 'deploy-hook':
      return { ...deployHook(input, target, bind, config), files: [] };
    default:
      throw new DeployError('invalid_plan', `services.${target.name}: Fleet does not build a ${target.kind} server`);
  }
}

/**
 * `fleet-deploy hook`: its settings come from the service's `env` (`FLEET_DEPLOY_SECRET` as a
 * `${ENV}` reference, `FLEET_DEPLOY_REPOSITORY`, optionally `FLEET_DEPLOY_REF` and `FLEET_DEPLOY_RUN`);
 * without a secret or a repository the plan is refused, as the command would refuse to start.
 */
function deployHook(input: HostServicesInput, target: NamedTarget, bind: string, config: string) {
  const env = input.fleet.services[target.name]?.env ?? {};
  for (const [name, what] of [
    ['FLEET_DEPLOY_SECRET', 'the webhook secret, as "${FLEET_DEPLOY_SECRET}" (there is no unsigned mode)'],
    ['FLEET_DEPLOY_REPOSITORY', 'the repository whose pushes deploy, owner/name'],
  ] as const) {
    if (!env[name]?.trim()) {
      throw new DeployError('invalid_plan', `services.${target.name}: a deploy-hook needs env.${name}: ${what}`);
    }
  }
  return {
    execStart: unitCommand(
      [
        input.node,
        bin(input, 'fleet-deploy'),
        'hook',
        '--config',
        config,
        '--state',
        `${input.layout.state(target.name)}/hook-state.json`,
      ],
      ['--host ${HOST}', '--port ${PORT}'],
    ),
    env: {
      ...fleetEnvironment(input.fleet),
      ...env,
      HOST: bind,
      PORT: String(target.port),
      ...(target.token ? { FLEET_DEPLOY_HOOK_TOKENS: target.token } : {}),
    },
  };
}

type Common = Pick<
  HostService,
  | 'fleetInputs'
  | 'name'
  | 'kind'
  | 'phase'
  | 'unit'
  | 'description'
  | 'secrets'
  | 'stateDirectory'
  | 'port'
  | 'health'
  | 'usesBundle'
>;

function wizard(input: HostServicesInput, target: NamedTarget & { kind: 'wizard' }, bind: string) {
  const { fleet } = input;
  const wizards = servicesOfKind(fleet, 'wizard');
  const index = wizards.findIndex((other) => other.name === target.name);
  const peer = wizards[(index + 1) % wizards.length]?.name ?? target.name;
  const bus = servicesOfKind(fleet, 'bus')[0];
  const knowledgeNodes = servicesOfKind(fleet, 'knowledge');
  const knowledge = knowledgeNodes.find((node) => node.host === target.host) ?? knowledgeNodes[0];
  const wizardSpec = fleet.wizards[target.name];
  const env: Record<string, string> = {
    FLEET_WIZARD: target.name,
    FLEET_PEER: peer,
    HOST: bind,
    PORT: String(target.port),
    ...(bus ? { FLEET_BUS_URL: serviceUrl(fleet, bus.name)! } : {}),
    ...(bus?.token ? { FLEET_BUS_TOKEN: bus.token } : {}),
    ...(knowledge ? { FLEET_KNOWLEDGE_URL: serviceUrl(fleet, knowledge.name)! } : {}),
    ...(knowledge?.token ? { FLEET_KNOWLEDGE_TOKEN: knowledge.token } : {}),
    ...(wizardSpec?.model ? { FLEET_MODEL: wizardSpec.model } : {}),
    ...(wizardSpec?.provider ? { FLEET_PROVIDER: wizardSpec.provider } : {}),
    ...(wizardSpec?.env ?? {}),
  };
  const exec = wizardSpec?.exec;
  // `${NAME}` references in `exec` stay references, filled by systemd from the 0600 environment file.
  const command = exec ? execCommand(fleet, target.name, exec, env) : undefined;
  return {
    execStart: command ? command.execStart : unitCommand([input.node, bin(input, 'fleet'), 'agent']),
    env: { ...env, ...command?.env },
    files: [],
    usesBundle: exec === undefined,
  };
}

/**
 * Every service and wizard of the fleet file that the deployer installs on `host`, in file order:
 * Fleet's own servers (bus, knowledge, dashboard), Ollama, Gitea and Conduit when the file says
 * how to install them, and the wizards. Throws a DeployError for what cannot be deployed safely
 * (a server on a public address without a token).
 */
export function hostServices(input: HostServicesInput): HostService[] {
  const { fleet, host } = input;
  const bind = bindAddress(fleet, host);
  const targets = new Map(fleetTargets(fleet).map((target) => [target.id, target]));
  const secrets = fleetSecrets(fleet);
  const services: HostService[] = [];
  for (const target of fleetEntries(fleet)) {
    if (target.host !== host) continue;
    const monitorTarget = targets.get(target.name)!;
    const common: Common = {
      name: target.name,
      kind: target.kind,
      phase: 'fleet',
      unit: unitOf(target),
      description: `Fleet ${target.kind === 'wizard' ? 'wizard' : target.kind} ${target.name}`,
      secrets: [...secrets],
      stateDirectory: input.layout.state(target.name),
      port: target.port,
      usesBundle: true,
      fleetInputs: target.kind === 'knowledge' ? JSON.stringify(fleetKnowledgeNode(fleet, target.name)) : '',
      health: {
        url: monitorTarget.url,
        conditions: [...monitorTarget.conditions],
        headers: { ...(monitorTarget.headers ?? {}) },
      },
    };
    if (target.kind === 'wizard') {
      services.push({ ...common, phase: 'wizards', ...wizard(input, { ...target, kind: 'wizard' }, bind) });
    } else if (
      target.kind === 'bus' ||
      target.kind === 'knowledge' ||
      target.kind === 'dashboard' ||
      target.kind === 'deploy-hook'
    ) {
      services.push({ ...common, ...fleetServer(input, target, bind) });
    } else if (target.kind === 'ollama' || target.kind === 'gitea' || target.kind === 'conduit') {
      const install = fleet.services[target.name]?.install;
      if (install === undefined) continue;
      services.push({
        ...common,
        phase: target.kind,
        usesBundle: false,
        ...thirdPartyService(input, target, install, bind),
      });
    }
  }
  // A service's own `env` from the file comes last: it may set anything (a wizard's is in its env already).
  for (const service of services) {
    const own = service.kind === 'wizard' ? undefined : fleet.services[service.name]?.env;
    if (own) service.env = { ...service.env, ...own };
  }
  return services;
}
