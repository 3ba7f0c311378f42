import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { type Executor, SshExecutor } from '@fleet/sdk/deploy';
import type { Fleet } from '@fleet/sdk/fleet';

/** How the deployer reaches hosts over SSH, on top of what the fleet file says per host. */
export interface SshSettings {
  /** The known_hosts file host keys must be in. @default ~/.ssh/known_hosts */
  knownHostsFile?: string;
  /**
   * A private key file for hosts whose `ssh.identity` the file does not give; a relative path is
   * relative to the current directory. @default the SSH agent
   */
  identity?: string;
  /** Trust and record the key of a host known_hosts does not know (`--accept-new-host-keys`). @default false */
  acceptNewHostKeys?: boolean;
  /** Relative `ssh.identity` paths are resolved against this (the fleet file's directory). */
  baseDir?: string;
}

/** Opens an executor for a host of the fleet file; the default connects over SSH. */
export type ConnectHost = (name: string, fleet: Fleet) => Executor;

function keyPath(path: string, baseDir: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return resolve(baseDir, path);
}

/**
 * An {@link SshExecutor} for host `name` of the fleet file: its address, `ssh.port` and `ssh.user`
 * (sudo when not root), its `ssh.identity` or the deployer's, host keys verified against the
 * known_hosts file (never accepted silently).
 */
export function sshConnector(settings: SshSettings = {}): ConnectHost {
  return (name, fleet) => {
    const host = fleet.hosts[name];
    if (!host?.ssh) throw new Error(`host ${name} has no ssh block`);
    // The file's own paths are relative to the file; the deployer's `--identity` to where it runs.
    const identity =
      host.ssh.identity !== undefined
        ? keyPath(host.ssh.identity, settings.baseDir ?? process.cwd())
        : settings.identity !== undefined
          ? keyPath(settings.identity, process.cwd())
          : undefined;
    return new SshExecutor({
      host: name,
      address: host.address,
      port: host.ssh.port,
      username: host.ssh.user,
      ...(identity !== undefined ? { identity } : {}),
      ...(settings.knownHostsFile !== undefined ? { knownHostsFile: settings.knownHostsFile } : {}),
      ...(settings.acceptNewHostKeys ? { acceptNewHostKeys: true } : {}),
    });
  };
}
