import type { HealthCondition, ServiceKind } from '../schemas/monitor.ts';
import type { FleetHealth, HealthSpec } from './health.ts';

/** Time between the starts of two probes when the file does not say: 30 s. */
export const DEFAULT_HEALTH_INTERVAL_MS = 30_000;
/** Probe timeout when the file does not say: 5 s, or half the interval when that is shorter. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 5_000;
/** Failed probes in a row before a target is down. */
export const DEFAULT_FAILURE_THRESHOLD = 3;
/** Good probes in a row before a down target is up again. */
export const DEFAULT_SUCCESS_THRESHOLD = 2;

/** What a kind's health check looks like when the fleet file does not say. */
export type HealthPreset = Pick<FleetHealth, 'path' | 'conditions' | 'intervalMs' | 'timeoutMs'>;

const STATUS_OK: HealthCondition = '[STATUS] == 200';

function preset(path: string, conditions: HealthCondition[]): HealthPreset {
  return { path, conditions, intervalMs: DEFAULT_HEALTH_INTERVAL_MS, timeoutMs: DEFAULT_HEALTH_TIMEOUT_MS };
}

// Fleet's own servers and its agent (`fleet agent`, what a wizard runs without `exec`) answer
// `/health` with the SDK's `Health` body, `{"status": "ok" | "degraded", ...}`; the agent answers
// 200 either way: degraded is not ok.
const fleetHealth = preset('/health', [STATUS_OK, '[BODY].status == ok']);

// A wizard that runs a program of its own (`exec`) answers as that program does: only the status counts.
const ownProgramWizard = preset('/health', [STATUS_OK]);

/**
 * The health check of each kind. A check proves the service does its job, not just that a port
 * answers: Fleet's servers and a wizard running Fleet's agent must say `ok`, Ollama must list its
 * models, Gitea's health endpoint must say `pass`, a Matrix homeserver (Conduit) must list the
 * client API versions it speaks. A wizard with `exec` is checked on its status only (see
 * {@link resolveHealth}).
 */
export const HEALTH_PRESETS: Readonly<Record<ServiceKind, HealthPreset>> = {
  bus: fleetHealth,
  knowledge: fleetHealth,
  dashboard: fleetHealth,
  'deploy-hook': preset('/health', [STATUS_OK]),
  ollama: preset('/api/tags', [STATUS_OK, '[BODY].models.length > 0']),
  gitea: preset('/api/healthz', [STATUS_OK, '[BODY].status == pass']),
  conduit: preset('/_matrix/client/versions', [STATUS_OK, '[BODY].versions.length > 0']),
  wizard: fleetHealth,
  custom: preset('/', [STATUS_OK]),
};

/**
 * A kind's preset with what the file wrote on top. A written `conditions` list replaces the
 * preset's (conditions are not merged). Without a written timeout, the default is capped at half
 * the interval; a written timeout above half the interval is left for the loader to report.
 * `ownProgram` (default false): a wizard that runs a program of its own (`exec`), not Fleet's
 * agent, so its body is not judged, only `[STATUS] == 200`.
 *
 * @example resolveHealth('wizard', {}, wizard.exec !== undefined)
 */
export function resolveHealth(kind: ServiceKind, written: HealthSpec = {}, ownProgram = false): FleetHealth {
  const base = kind === 'wizard' && ownProgram ? ownProgramWizard : HEALTH_PRESETS[kind];
  const intervalMs = written.interval ?? base.intervalMs;
  return {
    path: written.path ?? base.path,
    intervalMs,
    timeoutMs: written.timeout ?? Math.min(base.timeoutMs, Math.floor(intervalMs / 2)),
    conditions: written.conditions ?? [...base.conditions],
    failureThreshold: written.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD,
    successThreshold: written.successThreshold ?? DEFAULT_SUCCESS_THRESHOLD,
  };
}
