import type { ServiceKind } from '@fleet/sdk';
import type { Fleet } from '@fleet/sdk/fleet';
import type { SiteLayout } from './layout.ts';

/** The phase that installs a service: Fleet's own, one per third-party kind, or the wizards. */
export type ServicePhase = 'fleet' | 'ollama' | 'gitea' | 'conduit' | 'wizards';

/** A file of a release's `etc/`, as a unit's service reads it. */
export interface ConfigFile {
  /** Path under the release's `etc/`, e.g. `gitea/app.ini`. */
  name: string;
  content: string;
  /** `0600` for environment files (secrets), `0640` for what the service reads itself. */
  mode: '0600' | '0640';
  /** The units whose processes read it at start. */
  readers?: string[];
}

/** One service or wizard the deployer installs on a host: everything its unit and checks need. */
export interface HostService {
  /** Its name in the fleet file. */
  name: string;
  kind: ServiceKind;
  phase: ServicePhase;
  /** `fleet-<name>.service`, or `fleet-wizard-<name>.service` for a wizard. */
  unit: string;
  description: string;
  /** The `ExecStart=` line (variables such as `${PORT}` come from its environment file). */
  execStart: string;
  /** Its environment file's variables (written to `etc/<unit>.env`, mode 0600). */
  env: Record<string, string>;
  /** Other files of `etc/` it reads. */
  files: ConfigFile[];
  /** Values to redact everywhere: tokens and every value from the environment. */
  secrets: string[];
  /**
   * What its process takes from the fleet file at start (a knowledge node: its peers and tokens),
   * as text: a change restarts it. Empty for what reads nothing of it, or reloads it by itself (the
   * dashboard watches the file).
   */
  fleetInputs: string;
  /** True when it runs code of the release bundle. */
  usesBundle: boolean;
  /**
   * Its state directory, `<deploy.state>/<name>` (absolute): where it runs and the one place it may
   * write (`StateDirectory=` under /var/lib, else `ReadWritePaths=`).
   */
  stateDirectory: string;
  /** The port it must hold. */
  port: number;
  /** How the gate checks it (the monitor's target). */
  health: { url: string; conditions: string[]; headers: Record<string, string> };
}

/** What {@link hostServices} needs. */
export interface HostServicesInput {
  fleet: Fleet;
  host: string;
  layout: SiteLayout;
  /** The Node.js on the host. */
  node: string;
  /** Bin paths inside the release bundle, by bin name (`fleet-bus`, `fleet-knowledge`, `fleet-dashboard`, `fleet`). */
  bins: Readonly<Record<string, string>>;
}
