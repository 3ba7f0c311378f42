import { z } from 'zod';
import { AlertsSpec } from '../alerts/alerts-spec.ts';
import { ServiceKind } from '../schemas/monitor.ts';
import { DeploySpec, InstallSpec } from './deploy-spec.ts';
import { Address, EnvName, FleetName, Port, Scheme, Token, UnixName } from './fields.ts';
import { HealthSpec } from './health.ts';
import { ProxyAddress } from './internal/proxy-address.ts';
import { resolveHealth } from './presets.ts';

/** How the deployer reaches a host over SSH. */
export const SshSpec = z.strictObject({
  /** @default 'root' (what a fresh VPS offers) */
  user: UnixName.default('root'),
  /** @default 22 */
  port: Port.default(22),
  /**
   * Private key file to log in with (OpenSSH format; `~` is the deployer's home). @default the
   * deployer's `--identity`, else the SSH agent
   */
  identity: z.string().min(1).max(4096).optional(),
});

/**
 * A machine of the fleet.
 * @example { address: '10.0.0.5', ssh: { user: 'fleet' }, groups: ['gpu'] }
 */
export const FleetHost = z.strictObject({
  /** Where others reach the host: health URLs, peers and clients use it. */
  address: Address,
  /**
   * The address its services bind, when it differs from `address` (behind NAT, as on most clouds,
   * or a VM with forwarded ports). `0.0.0.0` binds every interface. @default `address`
   */
  bind: Address.optional(),
  /** Absent when the host is not managed over SSH (e.g. the local machine). */
  ssh: SshSpec.optional(),
  /** Free labels for selecting hosts (deploys, dashboard filters). @default [] */
  groups: z.array(FleetName).default([]),
});
export type FleetHost = z.infer<typeof FleetHost>;

// Environment values are strings. The loader keeps a number or boolean as YAML writes it
// (`PYTHON_VERSION: 3.10` is '3.10', `UMASK: 0027` is '0027'); one given in code is turned into text.
const EnvValue = z
  .union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' })
  .transform(String);

const ServiceSpec = z.strictObject({
  kind: ServiceKind.exclude(['wizard']),
  /** Name of the host (in `hosts`) it runs on. */
  host: FleetName,
  port: Port,
  scheme: Scheme,
  /** Bearer token clients and the monitor present; write it as `${ENV_VAR}`. */
  token: Token.optional(),
  description: z.string().max(500).optional(),
  /** Overrides of the kind's health-check preset. */
  health: HealthSpec.optional(),
  /** Environment of the service's process on its host; write secrets as `${ENV_VAR}`. */
  env: z.record(EnvName, EnvValue).optional(),
  /**
   * For Ollama, Gitea and Conduit: the binary or Debian package the deployer installs it from.
   * Without it such a service is monitored but not deployed. Fleet's own services need none.
   */
  install: InstallSpec.optional(),
  /**
   * For a dashboard: the TLS-terminating proxies (IP addresses or CIDR ranges) whose
   * `X-Forwarded-Proto` it believes, passed as `--trust-proxy` by the deployer's unit.
   * @example ['127.0.0.1', '10.0.0.0/8']
   */
  trustProxy: z.array(ProxyAddress).min(1).max(64).optional(),
});

/** A service of the fleet as loaded: its health check is the kind's preset with the file's overrides. */
export const FleetService = ServiceSpec.refine(
  (service) => service.trustProxy === undefined || service.kind === 'dashboard',
  {
    path: ['trustProxy'],
    message: 'only a dashboard service takes trustProxy (its session cookie behind a TLS-terminating proxy)',
  },
).transform(({ health, ...service }) => ({
  ...service,
  health: resolveHealth(service.kind, health),
}));
export type FleetService = z.infer<typeof FleetService>;

const WizardSpec = z.strictObject({
  /** Name of the host (in `hosts`) it runs on. */
  host: FleetName,
  port: Port,
  scheme: Scheme,
  /** The model it runs. @example 'llama3.1:8b' */
  model: z.string().min(1).max(200).optional(),
  /** Who serves the model. @example 'ollama' */
  provider: z.string().min(1).max(64).optional(),
  /** Bearer token for its HTTP API; write it as `${ENV_VAR}`. */
  token: Token.optional(),
  /** Environment of the agent process; write secrets as `${ENV_VAR}`. @default {} */
  env: z.record(EnvName, EnvValue).default({}),
  /**
   * The agent program the deployer runs for it, as argv (run with the environment above plus
   * `FLEET_WIZARD`, `PORT`, `HOST`, `FLEET_MODEL`, `FLEET_PROVIDER`). @default Fleet's demo agent
   * @example ['/usr/bin/python3', '/opt/agents/reply_agent.py']
   */
  exec: z.array(z.string().min(1).max(4096)).min(1).max(64).optional(),
  description: z.string().max(500).optional(),
  health: HealthSpec.optional(),
});

/**
 * A wizard (agent instance) as loaded, with `kind: 'wizard'` and its health check resolved: the
 * wizard preset (Fleet's agent, whose body must say `ok`), or for a program of its own (`exec`)
 * the status only.
 */
export const FleetWizard = WizardSpec.transform(({ health, ...wizard }) => ({
  kind: 'wizard' as const,
  ...wizard,
  health: resolveHealth('wizard', health, wizard.exec !== undefined),
}));
export type FleetWizard = z.infer<typeof FleetWizard>;

/**
 * A fleet file (`fleet.yaml`): hosts, the services and wizards running on them, and their health
 * checks. Names are keys, so they are unique within a section; the loader also checks them across
 * sections, and every other cross-reference (hosts exist, one target per address and port).
 * Health URLs are derived from the host's address, the port and the health path.
 */
export const Fleet = z.strictObject({
  /** Format version; only 1 exists. */
  version: z.literal(1),
  /** A label for the fleet, shown by the dashboard. */
  name: FleetName.optional(),
  /** @default {} */
  hosts: z.record(FleetName, FleetHost).default({}),
  /** @default {} */
  services: z.record(FleetName, FleetService).default({}),
  /** @default {} */
  wizards: z.record(FleetName, FleetWizard).default({}),
  /** How the fleet is deployed onto its hosts; every key has a default (see `deploySettings`). */
  deploy: DeploySpec.optional(),
  /** Alert channels, rules, silences and the heartbeat (see `startAlerting`). */
  alerts: AlertsSpec.optional(),
});
export type Fleet = z.infer<typeof Fleet>;
export type FleetInput = z.input<typeof Fleet>;
