import {
  clearUnverifiedRelease,
  type HostResult,
  mergeHostResults,
  rollbackRelease,
  runPlan,
  type Step,
  serviceStep,
} from '@fleet/sdk/deploy';
import { siteLayout } from '../site/layout.ts';
import { gatePlan, type Site } from '../site/site-plan.ts';
import type { HostDeploy } from './deploy-host.ts';
import { readReleaseUnits } from './internal/release-units.ts';
import { keptUnitsStep, restoreUnitsSteps } from './internal/rollback-steps.ts';
import { failedHostResult } from './merge-results.ts';

/** What {@link rollbackHost} gives: the rollback's results, whether its gate passed, and why it failed. */
export interface HostRollback {
  /** Undefined when `current` could not be swapped back or the rollback broke off. */
  result: HostResult | undefined;
  ok: boolean;
  error?: string;
}

/** The rollback phase's steps, and the site whose services the gate checks after it. */
async function rollbackSteps(
  deploy: Pick<HostDeploy, 'executor'>,
  site: Site,
  from: string,
  to: string,
): Promise<{ steps: Step[]; gated: Site }> {
  const layout = siteLayout(site.settings);
  const units = await readReleaseUnits(deploy.executor, layout.releaseUnits(to));
  const siteUnits = site.services.map((service) => service.unit);
  if (units === undefined) {
    const restarts = siteUnits.map((unit) => serviceStep({ unit, action: 'restart' }));
    return { steps: [keptUnitsStep(siteUnits, from, to), ...restarts], gated: site };
  }
  const fromUnits = await readReleaseUnits(deploy.executor, layout.releaseUnits(from));
  const known = new Set([...siteUnits, ...Object.keys(fromUnits ?? {})]);
  const retired = [...known].filter((unit) => units[unit] === undefined);
  const order = [
    ...siteUnits.filter((unit) => units[unit] !== undefined),
    ...Object.keys(units).filter((unit) => !siteUnits.includes(unit)),
  ];
  const gated = { ...site, services: site.services.filter((service) => units[service.unit] !== undefined) };
  return { steps: restoreUnitsSteps({ units, retired, order }), gated };
}

/**
 * Puts a host back on its previous release: `current` swapped back, every unit file of the host
 * made what it was with that release (as the release keeps them under `units/`), systemd
 * reloaded, a unit that release did not have stopped, disabled and its file removed, every unit of
 * the release enabled and restarted, then the health gate again (for the services of `site` that
 * the release has). A release made before releases kept their unit files keeps today's units: only
 * their header is marked, the units of `site` restarted, and a step named `units kept: ...` says
 * so. `options.to` goes back to that release instead of the previous one (a deploy goes back to the
 * last release that passed its gate). Returns the results and whether the gate passed. Never throws: when `current` could not be
 * swapped back, or the rollback broke off after that (the connection dropped), `result` is
 * undefined and `error` says why.
 */
export async function rollbackHost(
  deploy: Pick<HostDeploy, 'executor' | 'emit'>,
  site: Site,
  options: { to?: string } = {},
): Promise<HostRollback> {
  const at = () => new Date().toISOString();
  const host = deploy.executor.host;
  const failed = (message: string) => {
    deploy.emit({ type: 'rollback_finished', at: at(), host, ok: false, error: message });
    return { result: undefined, ok: false, error: message };
  };
  let swap: Awaited<ReturnType<typeof rollbackRelease>>;
  try {
    // Gated: the release gone back to counts as verified only once its gate below passed.
    const to = options.to === undefined ? {} : { to: options.to };
    swap = await rollbackRelease(deploy.executor, site.appBase, { ...to, gated: true });
  } catch (error) {
    deploy.emit({ type: 'rollback_started', at: at(), host });
    return failed(error instanceof Error ? error.message : String(error));
  }
  const { from, to } = swap;
  deploy.emit({ type: 'rollback_started', at: at(), host, from, to });
  try {
    const { steps, gated } = await rollbackSteps(deploy, site, from, to);
    const options = { executor: deploy.executor, mode: 'apply' as const, onEvent: deploy.emit };
    const restore = { phases: [{ name: 'rollback', steps }], secrets: site.plan.secrets ?? [] };
    const results: [HostResult, ...HostResult[]] = [await runPlan(restore, options)];
    if (results[0]!.status !== 'failed') results.push(await runPlan(gatePlan(gated), options));
    const result = mergeHostResults(results);
    const ok = result.status !== 'failed';
    // The release gone back to passed its gate: it is verified now.
    if (ok) await clearUnverifiedRelease(deploy.executor, site.appBase, to).catch(() => undefined);
    deploy.emit({ type: 'rollback_finished', at: at(), host, ok });
    return { result, ok };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return failed(`current is back on ${to}, but the rollback broke off: ${why}`);
  }
}

/**
 * The host's result of a rollback: its own results, else (when `current` could not be swapped
 * back, or the rollback broke off) a failed `rollback` phase saying why, as for a host the
 * deployer could not work on.
 */
export function rollbackResult(host: string, mode: HostResult['mode'], back: HostRollback): HostResult {
  return back.result ?? failedHostResult(host, mode, 'rollback', back.error ?? 'rollback failed');
}
