import { z } from 'zod';
import { AbsolutePath, Duration, FleetName, UnixName } from './fields.ts';

const BATCH_HINT = 'must be a number of hosts (1 or more) or a percentage of the selected hosts, e.g. "25%"';

/**
 * One batch of a rollout: a number of hosts, or a percentage (rounded up, at least one host) of
 * the hosts selected for the deploy.
 * @example 1
 * @example '25%'
 */
export const RolloutBatch = z
  .union([
    z.number({ error: BATCH_HINT }).int(BATCH_HINT).min(1, BATCH_HINT),
    z.string({ error: BATCH_HINT }).regex(/^(100|[1-9]\d?)%$/, BATCH_HINT),
  ])
  .describe('Hosts in one batch: a number, or a percentage such as "25%"');
export type RolloutBatch = z.infer<typeof RolloutBatch>;

const Successes = z
  .number({ error: 'must be a whole number from 1 to 20' })
  .int('must be a whole number from 1 to 20')
  .min(1, 'must be a whole number from 1 to 20')
  .max(20, 'must be a whole number from 1 to 20');

const GateTimeout = Duration.refine((ms) => ms >= 1000 && ms <= 86_400_000, 'must be between 1s and 24h');
const GateInterval = Duration.refine((ms) => ms >= 100 && ms <= 3_600_000, 'must be between 100ms and 1h');
// At least 10 s: the heartbeat runs every quarter of it over SSH. At most a day: a lock left by a
// deployer that died is taken over only after it.
const LockTtl = Duration.refine((ms) => ms >= 10_000 && ms <= 86_400_000, 'must be between 10s and 24h');

/** How a host's services must prove healthy after a deploy before the rollout goes on. */
export const HealthGateSpec = z.strictObject({
  /** Consecutive passing health checks each service needs. @default 3 */
  successes: Successes.default(3),
  /** How long a service gets to pass them, 1s to 24h. @default '60s' */
  timeout: GateTimeout.default(60_000),
  /** Time between two checks, 100ms to 1h. @default '1s' */
  interval: GateInterval.default(1000),
});
export type HealthGateSpec = z.infer<typeof HealthGateSpec>;

const KeepReleases = z
  .number({ error: 'must be a whole number from 2 to 50' })
  .int('must be a whole number from 2 to 50')
  .min(2, 'must be a whole number from 2 to 50')
  .max(50, 'must be a whole number from 2 to 50');

/**
 * The `deploy` block of a fleet file: where Fleet installs things on the hosts, how a rollout goes,
 * and where the deploy lock and history live. Every key has a default, so a fleet file needs no
 * `deploy` block to be deployed.
 */
export const DeploySpec = z.strictObject({
  /** The system user Fleet's services and the wizards run as. @default 'fleet' */
  user: UnixName.default('fleet'),
  /** Releases of Fleet's own code: `<root>/<service>/releases/<id>` and `current`. @default '/opt/fleet' */
  root: AbsolutePath.default('/opt/fleet'),
  /** Configuration and environment files. @default '/etc/fleet' */
  config: AbsolutePath.default('/etc/fleet'),
  /** State (databases), and the deploy lock and history on the lock host. @default '/var/lib/fleet' */
  state: AbsolutePath.default('/var/lib/fleet'),
  /** The Node.js (20 or later) that runs Fleet's services on the hosts. @default '/usr/bin/node' */
  node: AbsolutePath.default('/usr/bin/node'),
  /** Releases kept per service; the current and the previous one are never removed. @default 5 */
  keepReleases: KeepReleases.default(5),
  /** The rollout: hosts per batch, the last size repeating. @default [1, '25%'] */
  batches: z.array(RolloutBatch).min(1, 'must list at least one batch').default([1, '25%']),
  /** The health gate after each host. @default {} (3 successes within 60s, every 1s) */
  gate: HealthGateSpec.default({ successes: 3, timeout: 60_000, interval: 1000 }),
  /**
   * When a host fails its gate: roll back that host and every host already updated in this run
   * (`all`), only that host (`host`), or nothing (`none`). The rollout stops either way.
   * @default 'all'
   */
  rollback: z.enum(['all', 'host', 'none']).default('all'),
  /** The deploy lock every deployer takes on the fleet. */
  lock: z
    .strictObject({
      /** The host that holds the lock and the deploy history. @default the first host with `ssh` */
      host: FleetName.optional(),
      /** A lock whose heartbeat stopped this long ago is stale; 10s to 24h. @default '2m' */
      ttl: LockTtl.default(120_000),
    })
    .default({ ttl: 120_000 }),
});
export type DeploySpec = z.infer<typeof DeploySpec>;
export type DeploySpecInput = z.input<typeof DeploySpec>;

/** What a service of a kind Fleet does not build (Ollama, Gitea, Conduit) is installed from. */
export const InstallSpec = z
  .strictObject({
    /** A binary the operator supplies, already on the host or copied there first. @example '/usr/local/bin/conduit' */
    binary: AbsolutePath.optional(),
    /** A Debian package that provides it. @example 'gitea' */
    package: z
      .string()
      .regex(/^[a-z0-9][a-z0-9+.-]+$/, 'must be a Debian package name')
      .optional(),
  })
  .refine((install) => install.binary !== undefined || install.package !== undefined, {
    message: 'give the binary, the package, or both',
  });
export type InstallSpec = z.infer<typeof InstallSpec>;
