import { assertStep, DeployError, type Step, stepBase } from '@fleet/sdk/deploy';
import type { DeploySpec } from '@fleet/sdk/fleet';
import { shellWord } from './internal/shell-word.ts';
import type { HostService } from './service-types.ts';

/** Largest clock difference between the deployer and a host that preflight accepts. */
export const MAX_CLOCK_SKEW_MS = 5_000;
/** Free space preflight wants under Fleet's root on a host. */
export const MIN_FREE_BYTES = 1024 ** 3;

/** The oldest Node.js Fleet's services run on (what h3 2 and the packages' `engines` ask for). */
export const MIN_NODE = [20, 19] as const;

/** Node.js {@link MIN_NODE} or later at `node`, with what to do when it is missing. */
export function nodeStep(node: string): Step {
  const [major, minor] = MIN_NODE;
  return assertStep({
    name: `node.js ${major}.${minor} or later`,
    command: [
      node,
      '-e',
      `const [a, b] = process.versions.node.split('.').map(Number); process.exit(a > ${major} || (a === ${major} && b >= ${minor}) ? 0 : 1)`,
    ],
    message: `Fleet's services need Node.js ${major}.${minor} or later at ${node}: install it (Debian 13: apt install nodejs; Debian 12: the NodeSource packages for Node 20+) or set deploy.node in the fleet file`,
  });
}

/** The host's clock within {@link MAX_CLOCK_SKEW_MS} of the deployer's (TLS, tokens and the knowledge store's clocks depend on it). */
function clockStep(): Step {
  return {
    ...stepBase('assert', 'clock skew', {}),
    async check(context) {
      const before = Date.now();
      const result = await context.executor.run(['date', '+%s%3N']);
      const after = Date.now();
      const hostMs = Number(result.stdout.trim());
      if (result.exitCode !== 0 || !Number.isFinite(hostMs)) {
        throw new DeployError('assertion_failed', `Could not read the host's clock: ${result.output.trim()}`);
      }
      // The host read its clock somewhere between before and after.
      const skew = hostMs < before ? before - hostMs : hostMs > after ? hostMs - after : 0;
      if (skew > MAX_CLOCK_SKEW_MS) {
        throw new DeployError(
          'assertion_failed',
          `The host's clock is ${(skew / 1000).toFixed(1)} s off this machine's (at most ${MAX_CLOCK_SKEW_MS / 1000} s): enable NTP (timedatectl set-ntp true)`,
        );
      }
      return [];
    },
    async apply() {
      return undefined;
    },
  };
}

/**
 * Each port the host's services need is free, or held by that very service (a redeploy). One
 * command lists the listeners and each unit's main PID.
 */
function portsStep(services: readonly HostService[]): Step {
  const script = [
    'ss -Hltnp 2>/dev/null || true',
    'echo "--"',
    ...services.map(
      (service) => `echo "${service.unit} $(systemctl show -p MainPID ${shellWord(service.unit)} 2>/dev/null)"`,
    ),
  ].join('\n');
  return {
    ...stepBase('assert', 'ports free or held by their service', {}),
    async check(context) {
      const result = await context.executor.run(script);
      const lines = result.stdout.split('\n');
      const marker = lines.indexOf('--');
      const listeners = lines.slice(0, Math.max(marker, 0)).join('\n');
      const pids = lines.slice(marker + 1).join('\n');
      const mainPid = new Map(
        pids
          .split('\n')
          .map((line) => /^(\S+) MainPID=(\d+)/.exec(line.trim()))
          .filter((match) => match !== null)
          .map((match) => [match[1]!, Number(match[2])]),
      );
      const problems: string[] = [];
      for (const service of services) {
        const holders = listeners
          .split('\n')
          .filter((line) => new RegExp(`:${service.port}\\s`).test(`${line.split(/\s+/)[3] ?? ''} `));
        if (holders.length === 0) continue;
        const pids = holders.flatMap((line) => [...line.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1])));
        const own = mainPid.get(service.unit) ?? 0;
        if (own > 0 && pids.includes(own)) continue;
        const who = holders[0]?.match(/users:\(\("([^"]+)"/)?.[1] ?? 'another process';
        problems.push(
          `port ${service.port} (${service.name}) is held by ${who}${pids.length > 0 ? ` (pid ${pids.join(', ')})` : ''}`,
        );
      }
      if (problems.length > 0) throw new DeployError('assertion_failed', problems.join('; '));
      return [];
    },
    async apply() {
      return undefined;
    },
  };
}

/** What {@link preflightSteps} checks. */
export interface PreflightInput {
  settings: DeploySpec;
  services: readonly HostService[];
  usesBundle: boolean;
}

/**
 * The read-only checks that run before anything changes on a host: a Debian-like OS with systemd,
 * free disk space under Fleet's root, the clock, and the ports. (That the host is reachable with a
 * verified key is proved by connecting.)
 */
export function preflightSteps(input: PreflightInput): Step[] {
  const { settings, services } = input;
  const kib = MIN_FREE_BYTES / 1024;
  return [
    assertStep({
      name: 'debian-like os',
      command: '. /etc/os-release && case " $ID $ID_LIKE " in *" debian "*) exit 0;; esac; exit 1',
      message: 'Fleet deploys onto Debian or Ubuntu hosts (it installs with apt and runs services under systemd)',
    }),
    assertStep({
      name: 'systemd',
      command: 'command -v systemctl >/dev/null',
      message: 'systemctl is missing: Fleet runs its services as systemd units',
    }),
    assertStep({
      name: 'disk space',
      command: `dir=${shellWord(settings.root)}; while [ ! -e "$dir" ]; do dir=$(dirname "$dir"); done; test "$(df -Pk "$dir" | awk 'NR==2 {print $4}')" -ge ${kib}`,
      message: `less than ${MIN_FREE_BYTES / 1024 ** 3} GiB free under ${settings.root}`,
    }),
    clockStep(),
    ...(services.length > 0 ? [portsStep(services)] : []),
  ];
}
