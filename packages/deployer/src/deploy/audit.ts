import type { FleetProblem } from '@fleet/sdk';
import { type Executor, healthStep, runPlan, SYSTEMD_UNIT_DIR } from '@fleet/sdk/deploy';
import { deploySettings, type Fleet, fleetFileProblem } from '@fleet/sdk/fleet';
import { hostServices } from '../site/host-services.ts';
import { siteLayout } from '../site/layout.ts';
import type { HostService } from '../site/service-types.ts';
import { MANAGED_UNIT_MARK } from '../site/unit-file.ts';
import { FLEET_BINS } from './fleet-bundle.ts';
import { type FleetSessionOptions, openFleetSession } from './internal/fleet-session.ts';

/** Options of {@link auditFleet}: which fleet file, which hosts, how to reach them. */
export interface AuditOptions extends Omit<FleetSessionOptions, 'onEvent'> {
  /** Each probe's timeout. @default 5000 */
  probeTimeoutMs?: number;
}

/** What {@link auditFleet} found: problems in `fleet doctor`'s format, none when the hosts match the file. */
export interface AuditResult {
  file: string;
  hosts: string[];
  problems: FleetProblem[];
}

const ANY_BINS = Object.fromEntries(FLEET_BINS.map((entry) => [entry.bin, entry.bin]));

function auditScript(services: readonly HostService[]): string {
  return [
    ...services.map(
      (service) => `printf 'unit %s %s\\n' ${service.unit} "$(systemctl is-active ${service.unit} 2>/dev/null)"`,
    ),
    `ss -Hltn 2>/dev/null | awk '{print "listen", $4}'`,
    `for f in ${SYSTEMD_UNIT_DIR}/fleet-*.service; do [ -f "$f" ] && head -n 1 "$f" | grep -q '^${MANAGED_UNIT_MARK}' && printf 'managed %s\\n' "\${f##*/}"; done`,
    'exit 0',
  ].join('\n');
}

async function auditHost(
  fleet: Fleet,
  host: string,
  executor: Executor,
  report: (path: (string | number)[], message: string) => void,
  probeTimeoutMs: number,
): Promise<void> {
  const layout = siteLayout(deploySettings(fleet));
  const services = hostServices({ fleet, host, layout, node: deploySettings(fleet).node, bins: ANY_BINS });
  const result = await executor.run(auditScript(services));
  if (result.exitCode !== 0) {
    report(['hosts', host], `could not be audited: ${result.output.trim() || `exit ${result.exitCode}`}`);
    return;
  }
  const active = new Map<string, string>();
  const ports = new Set<number>();
  const managed: string[] = [];
  for (const line of result.stdout.split('\n')) {
    const [kind, first = '', second = ''] = line.trim().split(' ');
    if (kind === 'unit') active.set(first, second);
    if (kind === 'listen') ports.add(Number(first.slice(first.lastIndexOf(':') + 1)));
    if (kind === 'managed') managed.push(first);
  }
  const health = await runPlan(
    {
      phases: [
        {
          name: 'audit',
          steps: services.map((service) =>
            healthStep({
              name: service.name,
              url: service.health.url,
              conditions: service.health.conditions,
              headers: service.health.headers,
              probeTimeoutMs,
              secrets: service.secrets,
            }),
          ),
        },
      ],
    },
    { executor, mode: 'plan' },
  );
  const healthOf = new Map(health.phases.flatMap((phase) => phase.steps).map((step) => [step.step, step]));
  for (const service of services) {
    const path = [service.kind === 'wizard' ? 'wizards' : 'services', service.name];
    const state = active.get(service.unit) || 'unknown';
    if (state !== 'active')
      report(path, `unit ${service.unit} is ${state} on host ${host}, where the fleet file says it runs`);
    if (!ports.has(service.port)) report(path, `nothing listens on port ${service.port} on host ${host}`);
    const probe = healthOf.get(service.name);
    if (probe && probe.status !== 'ok') {
      const why = probe.error ?? probe.changes[0]?.summary ?? probe.status;
      report(path, `health check of ${service.health.url} fails: ${why}`);
    }
  }
  const expected = new Set(services.map((service) => service.unit));
  for (const unit of managed) {
    if (!expected.has(unit)) {
      report(
        ['hosts', host],
        `unit ${unit} is managed by Fleet but the fleet file no longer names it on this host (drift): stop, disable and remove it, or add it back to the file`,
      );
    }
  }
}

/**
 * The old "harmony" audit: on each host, every service and wizard the fleet file places there has
 * an active unit, listens on its port and passes its health check, and no unit Fleet manages is
 * missing from the file (drift). Read-only; problems come located at the fleet file's entries.
 */
export async function auditFleet(options: AuditOptions = {}): Promise<AuditResult> {
  const session = await openFleetSession(options);
  const { loaded, file, hosts } = session;
  const problems: FleetProblem[] = [];
  await Promise.all(
    hosts.map(async (host) => {
      const executor = session.executorOf(host);
      const report = (path: (string | number)[], message: string) =>
        problems.push(fleetFileProblem(loaded.text, file, path, message));
      try {
        await auditHost(loaded.fleet, host, executor, report, options.probeTimeoutMs ?? 5000);
      } catch (error) {
        report(['hosts', host], `could not be audited: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  await session.close();
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { file, hosts, problems };
}
