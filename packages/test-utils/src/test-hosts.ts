import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { authorizedKeys } from './internal/authorized-keys.ts';
import { lockedRootShadow } from './internal/locked-root.ts';
import {
  destroyNetnsSync,
  NETNS_PREFIX,
  netnsPids,
  onProcessExit,
  pickSubnet,
  run,
  signalNetns,
  stopNetnsProcesses,
  sweepLeftovers,
  TMPDIR_PREFIX,
} from './internal/netns.ts';
import { plainRootShell } from './internal/plain-root-shell.ts';
import { type BindMount, SSHD_PATH, type SshdFiles, spawnSshd, sshdConfig, waitForSshd } from './internal/sshd.ts';
import { standInMounts } from './internal/stand-in-mounts.ts';
import { hasTestHostDeps } from './internal/test-host-deps.ts';

export { hasTestHostDeps };

/** The directories a test host sees as its own, each backed by a temp dir on this machine. */
export interface TestHostDirs {
  /** Shows as `/etc/fleet` on the host. */
  etcFleet: string;
  /** Shows as `/opt/fleet` on the host. */
  optFleet: string;
  /** Shows as `/var/lib/fleet` on the host. */
  varLibFleet: string;
  /** Shows as `/etc/systemd/system` on the host. */
  systemdSystem: string;
  /** Shows as `/run/fleet-systemctl` on the host: the stand-in systemctl's state (pids, logs, loaded units). */
  systemctlState: string;
}

/** The run's SSH client key pair, authorized for root on every host. */
export interface TestClientKey {
  /** OpenSSH-format ed25519 private key file (mode 0600, no passphrase). */
  privateKeyPath: string;
  /** The same private key, as ssh2's `privateKey` option takes it. */
  privateKey: Buffer;
  /** `ssh-ed25519 AAAA... fleet-test-client` */
  publicKey: string;
}

/** One test host: a network namespace with its own address and a real OpenSSH server. */
export interface TestHost {
  /** The network namespace's name, also the host's hostname: `fleet-test-<pid>-<hex>-<index>`. */
  name: string;
  /** The host's own address (the host side of its veth pair), where sshd listens. */
  address: string;
  /** sshd's port on {@link address}: always 22, as on a real host. */
  port: number;
  /** The address of the root namespace's side of the veth pair, which the host reaches this machine by. */
  gatewayAddress: string;
  /** The host's public key as `<type> <base64>`, e.g. `ssh-ed25519 AAAAC3Nza...`. */
  hostKey: string;
  /** The key blob that an SSH client is shown (the base64 part of {@link hostKey}, decoded). */
  hostKeyBlob: Buffer;
  /** `<address> <hostKey>`, one line of an OpenSSH known_hosts file. */
  knownHostsLine: string;
  /** The run's client key (the same for every host). */
  clientKey: TestClientKey;
  /** The SSH user: root, with the client key only. */
  username: 'root';
  /** The backing temp dirs of the host's private directories (`/etc/fleet`, `/etc/systemd/system`, ...). */
  dirs: TestHostDirs;
  /** sshd's log file (`-e`, LogLevel VERBOSE). */
  sshdLog: string;
  /**
   * Sends `signal` to every process on the host: sshd, its sessions and what they started.
   * `SIGKILL` is a crash (the kernel closes the TCP connections); `SIGSTOP` a hung host.
   */
  kill(signal?: NodeJS.Signals): void;
  /** Like a reboot: kills every process on the host and starts sshd again. Files stay. */
  restart(): Promise<void>;
  /** Takes the root side of the veth pair down: the host goes silent, as on a network cut or power loss. */
  cutNetwork(): Promise<void>;
  /** Brings the link back up after {@link cutNetwork}. */
  restoreNetwork(): Promise<void>;
}

/** The hosts of one run, with what a client needs to reach them. */
export interface TestHosts {
  hosts: TestHost[];
  clientKey: TestClientKey;
  /** A known_hosts file listing every host of the run (one {@link TestHost.knownHostsLine} each). */
  knownHostsPath: string;
  /**
   * Lets `user` log in to every host of the run with `publicKey` (one `authorized_keys` line), as
   * root does with the client key. The account itself must exist and not be locked: the hosts share
   * this machine's `/etc/passwd`, and with `UsePAM no` sshd refuses a password field starting with
   * `!` (create it with `useradd -p '*'`).
   * @default publicKey the run's client key
   */
  authorize(user: string, publicKey?: string): void;
  /** Kills sshd and everything else on the hosts, deletes their namespaces and veths and the temp dirs. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of {@link startTestHosts}. */
export interface StartTestHostsOptions {
  /**
   * How long each host's sshd gets to accept TCP and send its banner.
   * @default 10000
   */
  readyTimeoutMs?: number;
  /**
   * The OpenSSH server binary (Debian's `openssh-server`).
   * @default '/usr/sbin/sshd'
   */
  sshdPath?: string;
  /**
   * Mount the stand-in `systemctl` (a test helper, `systemctl-stand-in.mjs`) over this machine's
   * /usr/bin/systemctl inside each host, since the hosts run no systemd: it starts, stops and
   * enables units of the host's /etc/systemd/system as real processes. Skipped when this machine
   * has no /usr/bin/systemctl to mount over (Debian package `systemd`).
   * @default true
   */
  systemctl?: boolean;
}

/** Where the private mounts of every host point: created empty on this machine if missing, never written. */
const MOUNT_POINTS: Record<keyof TestHostDirs, string> = {
  etcFleet: '/etc/fleet',
  optFleet: '/opt/fleet',
  varLibFleet: '/var/lib/fleet',
  systemdSystem: '/etc/systemd/system',
  systemctlState: '/run/fleet-systemctl',
};

function keygen(file: string, comment: string): Promise<string> {
  return run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

/**
 * Starts `count` test hosts. Each is a network namespace `fleet-test-<pid>-<hex>-<i>` joined to
 * this machine by a veth pair on its own /30 of a random free 10.213.X.0/24 (this side `.4i+1`, the
 * host `.4i+2`), running a real OpenSSH server on port 22 with a generated ed25519 host key, in a
 * private mount namespace whose bind mounts give the host its own `/etc/fleet`, `/opt/fleet`,
 * `/var/lib/fleet`, `/etc/systemd/system` and `/run/fleet-systemctl`, a stand-in `systemctl` (see
 * {@link StartTestHostsOptions.systemctl}), and a hostname of its own. Needs root; guard the
 * suite with {@link hasTestHostDeps}. Leftovers of runs that died are swept first; a failed start
 * cleans up after itself, and so does a process that exits before `close()`.
 *
 * @example
 * describe.skipIf(!hasTestHostDeps())('deploy onto real hosts', () => {
 *   let run: TestHosts;
 *   beforeAll(async () => { run = await startTestHosts(2); });
 *   afterAll(() => run?.close());
 * });
 */
export async function startTestHosts(count: number, options: StartTestHostsOptions = {}): Promise<TestHosts> {
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new Error(`count must be 1-64, got ${count}`);
  if (!hasTestHostDeps())
    throw new Error('test hosts need root, sshd, ip and unshare: guard the suite with hasTestHostDeps()');
  sweepLeftovers();
  const runId = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const root = mkdtempSync(join(tmpdir(), `${TMPDIR_PREFIX}${runId}-`));
  const cleanups: (() => void)[] = [];
  const asyncCleanups: (() => Promise<void>)[] = [];
  const unregister = onProcessExit(() => {
    for (const cleanup of cleanups) cleanup();
    rmSync(root, { recursive: true, force: true });
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const errors: unknown[] = [];
      for (const cleanup of asyncCleanups) await cleanup().catch((error: unknown) => errors.push(error));
      for (const cleanup of cleanups) {
        try {
          cleanup();
        } catch (error) {
          errors.push(error);
        }
      }
      rmSync(root, { recursive: true, force: true });
      unregister();
      if (errors.length > 0) throw new AggregateError(errors, 'closing the test hosts failed');
    })();
    return closing;
  };

  try {
    const clientKeyPath = join(root, 'client_ed25519');
    await keygen(clientKeyPath, 'fleet-test-client');
    const clientKey: TestClientKey = {
      privateKeyPath: clientKeyPath,
      privateKey: readFileSync(clientKeyPath),
      publicKey: readFileSync(`${clientKeyPath}.pub`, 'utf8').trim(),
    };
    // One file per user: only root gets the client key unless a test asks.
    const keys = authorizedKeys(root);
    const authorize = (user: string, publicKey = clientKey.publicKey) => keys.authorize(user, publicKey);
    authorize('root');
    for (const target of Object.values(MOUNT_POINTS)) mkdirSync(target, { recursive: true });
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const shadow = lockedRootShadow(root);
    const shellFiles = plainRootShell(root);
    const systemctl = options.systemctl === false ? [] : standInMounts(root);
    const subnet = await pickSubnet();
    const hosts: TestHost[] = [];
    for (let i = 0; i < count; i++) {
      const name = `${NETNS_PREFIX}${runId}-${i}`;
      const rootVeth = `ft${runId.slice(-6)}r${i}`;
      const hostVeth = `ft${runId.slice(-6)}h${i}`;
      const gatewayAddress = `10.213.${subnet}.${4 * i + 1}`;
      const address = `10.213.${subnet}.${4 * i + 2}`;
      const dir = join(root, `host-${i}`);
      const dirs: TestHostDirs = {
        etcFleet: join(dir, 'etc-fleet'),
        optFleet: join(dir, 'opt-fleet'),
        varLibFleet: join(dir, 'var-lib-fleet'),
        systemdSystem: join(dir, 'etc-systemd-system'),
        systemctlState: join(dir, 'run-fleet-systemctl'),
      };
      for (const backing of Object.values(dirs)) mkdirSync(backing, { recursive: true });
      const files: SshdFiles = {
        config: join(dir, 'sshd_config'),
        hostKey: join(dir, 'ssh_host_ed25519_key'),
        pidFile: join(dir, 'sshd.pid'),
        authorizedKeys: keys.pattern,
        log: join(dir, 'sshd.log'),
      };
      await keygen(files.hostKey, name);
      const [type, base64] = readFileSync(`${files.hostKey}.pub`, 'utf8').trim().split(' ');
      const hostKey = `${type} ${base64}`;
      writeFileSync(files.config, sshdConfig(address, 22, files));

      cleanups.push(() => destroyNetnsSync(name, rootVeth));
      asyncCleanups.push(() => stopNetnsProcesses(name));
      await run('ip', ['netns', 'add', name]);
      await run('ip', ['link', 'add', rootVeth, 'type', 'veth', 'peer', 'name', hostVeth, 'netns', name]);
      await run('ip', ['addr', 'add', `${gatewayAddress}/30`, 'dev', rootVeth]);
      await run('ip', ['link', 'set', rootVeth, 'up']);
      await run('ip', ['-n', name, 'addr', 'add', `${address}/30`, 'dev', hostVeth]);
      await run('ip', ['-n', name, 'link', 'set', hostVeth, 'up']);
      await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
      // The run's hosts reach each other through this machine, as a fleet's hosts do through their
      // network: a route to the run's /24 via this side, and forwarding on this side's veth only
      // (the interface goes away with the host; nothing else of this machine changes).
      await run('ip', ['-n', name, 'route', 'add', `10.213.${subnet}.0/24`, 'via', gatewayAddress]);
      writeFileSync(`/proc/sys/net/ipv4/conf/${rootVeth}/forwarding`, '1');

      const mounts: BindMount[] = (Object.keys(MOUNT_POINTS) as (keyof TestHostDirs)[]).map((key) => ({
        source: dirs[key],
        target: MOUNT_POINTS[key],
      }));
      if (shadow) mounts.push({ source: shadow, target: '/etc/shadow' });
      mounts.push(...shellFiles);
      mounts.push(...systemctl);
      const startSshd = async () => {
        const child = spawnSshd(name, name, mounts, files, options.sshdPath ?? SSHD_PATH);
        await waitForSshd(child, address, 22, files.log, options.readyTimeoutMs ?? 10_000);
      };
      await startSshd();

      hosts.push({
        name,
        address,
        port: 22,
        gatewayAddress,
        hostKey,
        hostKeyBlob: Buffer.from(base64 ?? '', 'base64'),
        knownHostsLine: `${address} ${hostKey}`,
        clientKey,
        username: 'root',
        dirs,
        sshdLog: files.log,
        kill: (signal = 'SIGKILL') => signalNetns(name, signal),
        restart: async () => {
          for (let tries = 0; tries < 100 && netnsPids(name).length > 0; tries++) {
            signalNetns(name, 'SIGKILL');
            await sleep(50);
          }
          await startSshd();
        },
        cutNetwork: async () => void (await run('ip', ['link', 'set', rootVeth, 'down'])),
        restoreNetwork: async () => void (await run('ip', ['link', 'set', rootVeth, 'up'])),
      });
    }
    const knownHostsPath = join(root, 'known_hosts');
    writeFileSync(knownHostsPath, hosts.map((host) => `${host.knownHostsLine}\n`).join(''));
    return { hosts, clientKey, knownHostsPath, authorize, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
