import { z } from 'zod';
import { ServiceKind } from '../schemas/monitor.ts';
import { Address, EnvName, FleetName, Port, Scheme, Token } from './fields.ts';
import { HealthSpec } from './health.ts';
import { resolveHealth } from './presets.ts';

/** How the deployer reaches a host over SSH. */
export const SshSpec = z.strictObject({
  /** @default 'root' (what a fresh VPS offers) */
  user: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a Unix user name: lower-case letters, digits, _ and -')
    .default('root'),
  /** @default 22 */
  port: Port.default(22),
});

/**
 * A machine of the fleet.
 * @example { address: '10.0.0.5', ssh: { user: 'fleet' }, groups: ['gpu'] }
 */
export const FleetHost = z.strictObject({
  address: Address,
  /** Absent when the host is not managed over SSH (e.g. the local machine). */
  ssh: SshSpec.optional(),
  /** Free labels for selecting hosts (deploys, dashboard filters). @default [] */
  groups: z.array(FleetName).default([]),
});
export type FleetHost = z.infer<typeof FleetHost>;

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
});

/** A service of the fleet as loaded: its health check is the kind's preset with the file's overrides. */
export const FleetService = ServiceSpec.transform(({ health, ...service }) => ({
  ...service,
  health: resolveHealth(service.kind, health),
}));
export type FleetService = z.infer<typeof FleetService>;

// Environment values are strings; numbers and booleans are accepted as YAML writes them (PORT: 8643).
const EnvValue = z
  .union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' })
  .transform(String);

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
  description: z.string().max(500).optional(),
  health: HealthSpec.optional(),
});

/** A wizard (agent instance) as loaded, with `kind: 'wizard'` and its health check resolved. */
export const FleetWizard = WizardSpec.transform(({ health, ...wizard }) => ({
  kind: 'wizard' as const,
  ...wizard,
  health: resolveHealth('wizard', health),
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
});
export type Fleet = z.infer<typeof Fleet>;
export type FleetInput = z.input<typeof Fleet>;
