import type { FleetProblem, ProbeResult, TargetStatus } from '@fleet/sdk';
import { FleetMonitor, fleetTargets, loadFleetFile, shownFleet } from '@fleet/sdk/fleet';

/** One target as `fleet doctor` found it: its single probe and the state that probe gives. */
export type DoctorTarget = Pick<TargetStatus, 'id' | 'kind' | 'host' | 'url' | 'state'> &
  Pick<ProbeResult, 'ok' | 'status' | 'responseTimeMs' | 'error'>;

/** What `fleet doctor` found (also its `--json` output). */
export interface DoctorReport {
  /** The fleet file checked. */
  file: string;
  /** Every problem of the file, errors and warnings, in document order. */
  problems: FleetProblem[];
  /** Every service and wizard, in file order; empty when the file has errors. */
  targets: DoctorTarget[];
  /** No error in the file and every target `up`. */
  ok: boolean;
}

/** Options of {@link diagnoseFleet}. */
export interface DiagnoseOptions {
  /** Where `${NAME}` references of the file are looked up. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Checks a fleet file and probes every target once: loads and validates the file (collecting
 * every problem), then probes each service and wizard through a `FleetMonitor` (history in
 * memory) with thresholds of one, so that single probe decides the state: `up`, `degraded`
 * (answered correctly, but slowly) or `down`. Never throws for an unreachable target.
 *
 * @example
 * const report = await diagnoseFleet('fleet.yaml');
 * if (!report.ok) process.exitCode = 1;
 */
export async function diagnoseFleet(file: string, options: DiagnoseOptions = {}): Promise<DoctorReport> {
  const { value: fleet, errors, warnings } = await loadFleetFile(file, options.env ? { env: options.env } : {});
  const problems = [...errors, ...warnings].sort((a, b) => a.line - b.line || a.column - b.column);
  if (!fleet) return { file, problems, targets: [], ok: false };

  const targets = fleetTargets(fleet).map((target) => ({ ...target, failureThreshold: 1, successThreshold: 1 }));
  const monitor = new FleetMonitor({ targets, dbPath: ':memory:', rollupIntervalMs: 0 });
  try {
    const results = new Map((await monitor.probeNow()).map((result) => [result.target, result]));
    const found = monitor.statuses().map((status): DoctorTarget => {
      const result = results.get(status.id);
      return {
        id: status.id,
        kind: status.kind,
        host: status.host,
        url: shownFleet(fleet).urls.get(status.id) ?? status.url,
        state: status.state,
        ok: result?.ok ?? false,
        status: result?.status ?? null,
        responseTimeMs: result?.responseTimeMs ?? 0,
        error: result?.error ?? status.lastError,
      };
    });
    const ok = errors.length === 0 && found.every((target) => target.state === 'up');
    return { file, problems, targets: found, ok };
  } finally {
    monitor.close();
  }
}
