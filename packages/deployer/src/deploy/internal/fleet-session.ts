import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import {
  acquireDeployLock,
  type DeployLock,
  type DeployRun,
  type DeployRunEvent,
  type Executor,
  recordDeployRun,
  releaseId,
} from '@fleet/sdk/deploy';
import { type DeploySpec, deployLockHost, deploySettings, type Fleet } from '@fleet/sdk/fleet';
import { type SiteLayout, siteLayout } from '../../site/layout.ts';
import { type ConnectHost, type SshSettings, sshConnector } from '../connect-host.ts';
import { DeployUsageError } from '../deploy-usage-error.ts';
import { type DeployFleet, loadDeployFleet, parseDeployFleet } from '../load-deploy-fleet.ts';
import { selectHosts } from '../select-hosts.ts';

/** What every deploy operation (deploy, rollback, audit, the lock host's commands) starts from. */
export interface FleetSessionOptions {
  /** The fleet file. @default './fleet.yaml' */
  config?: string;
  /** The fleet file's text instead of reading `config` (which then only names it in problems). */
  configText?: string;
  /** Where `${NAME}` references of the fleet file are looked up. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Hosts by name. @default every host with `ssh` (unless `groups` is given) */
  hosts?: readonly string[];
  /** Hosts by group. */
  groups?: readonly string[];
  /** How hosts are reached. @default SSH, as the fleet file and `ssh` say */
  connect?: ConnectHost;
  /** SSH settings for the default connector. */
  ssh?: SshSettings;
  /** Every event, secrets redacted. */
  onEvent?: (event: DeployRunEvent) => void;
}

/** A loaded fleet file, its selected hosts, one executor per host on demand, and the run's id. */
export interface FleetSession {
  file: string;
  loaded: DeployFleet;
  fleet: Fleet;
  settings: DeploySpec;
  layout: SiteLayout;
  /** The selected hosts, in file order. */
  hosts: string[];
  runId: string;
  now: Date;
  executorOf(host: string): Executor;
  /** Passes an event on; a listener that throws cannot stop a deploy half-way. */
  emit(event: DeployRunEvent): void;
  /** Takes the deploy lock on the fleet's lock host. */
  lock(owner: { commit?: string; message?: string }, waitMs?: number, signal?: AbortSignal): Promise<DeployLock>;
  /** Records `run` in the lock host's history (a failure to record is noted in `run.error`). */
  record(lock: DeployLock, run: DeployRun): Promise<void>;
  /** Closes every executor opened. */
  close(): Promise<void>;
}

/** Loads the fleet file (problems: a {@link DeployUsageError}), selects hosts, and readies the executors. */
export async function openFleetSession(options: FleetSessionOptions): Promise<FleetSession> {
  const file = options.config ?? 'fleet.yaml';
  const env = options.env ?? process.env;
  const loaded =
    options.configText === undefined
      ? await loadDeployFleet(file, env)
      : parseDeployFleet(options.configText, file, env);
  const { fleet } = loaded;
  const settings = deploySettings(fleet);
  const layout = siteLayout(settings);
  const hosts = selectHosts(fleet, {
    ...(options.hosts ? { hosts: options.hosts } : {}),
    ...(options.groups ? { groups: options.groups } : {}),
  });
  const connect = options.connect ?? sshConnector({ baseDir: dirname(resolve(file)), ...options.ssh });
  const executors = new Map<string, Executor>();
  const now = new Date();
  const session: FleetSession = {
    file,
    loaded,
    fleet,
    settings,
    layout,
    hosts,
    now,
    runId: `${releaseId(now)}-${randomBytes(3).toString('hex')}`,
    executorOf(host) {
      let executor = executors.get(host);
      if (!executor) {
        executor = connect(host, fleet);
        executors.set(host, executor);
      }
      return executor;
    },
    emit(event) {
      try {
        options.onEvent?.(event);
      } catch {
        // See FleetSession.emit.
      }
    },
    async lock(owner, waitMs, signal) {
      const lockHost = deployLockHost(fleet);
      if (lockHost === undefined)
        throw new DeployUsageError('no host has an ssh block: nowhere to keep the deploy lock');
      const lock = await acquireDeployLock(session.executorOf(lockHost), {
        dir: layout.lockDir,
        ttlMs: settings.lock.ttl,
        owner: {
          runId: session.runId,
          ...(owner.commit ? { commit: owner.commit } : {}),
          ...(owner.message ? { message: owner.message } : {}),
        },
        ...(waitMs ? { waitMs } : {}),
        ...(signal ? { signal } : {}),
      });
      session.emit({
        type: 'lock_acquired',
        at: new Date().toISOString(),
        host: lockHost,
        tookOver: lock.tookOver !== undefined,
      });
      return lock;
    },
    async record(lock, run) {
      await recordDeployRun(lock.executor, run, { file: layout.historyFile }).catch((cause: unknown) => {
        run.error ??= `the run could not be recorded: ${cause instanceof Error ? cause.message : String(cause)}`;
      });
    },
    async close() {
      await Promise.all([...executors.values()].map((executor) => executor.close().catch(() => undefined)));
    },
  };
  return session;
}
