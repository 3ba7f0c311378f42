import { DeployError } from '../errors.ts';
import { commandFailure, runChecked } from '../internal/run-checked.ts';
import type { Step, StepContext, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';
import type { StepChange } from '../step-result.ts';

/** Options of {@link serviceStep}: a wanted state (`enabled`, `state`), or an `action` to run. */
export interface ServiceStepOptions extends StepOptions {
  /** The unit, e.g. `fleet-bus.service` (`fleet-bus` means the same). */
  unit: string;
  /** Started at boot (`systemctl enable`) or not (`disable`). @default left as it is */
  enabled?: boolean;
  /** Running (`start`) or not (`stop`). @default left as it is */
  state?: 'started' | 'stopped';
  /**
   * Run `systemctl restart` or `reload` every time the step runs: for handlers, which run only
   * when a step notified them. Not with `enabled` or `state`.
   * @example handlers: { 'restart bus': serviceStep({ unit: 'fleet-bus.service', action: 'restart' }) }
   */
  action?: 'restart' | 'reload';
}

/** What `systemctl show -p LoadState,ActiveState,UnitFileState` says about a unit. */
interface UnitState {
  LoadState?: string;
  ActiveState?: string;
  UnitFileState?: string;
}

// UnitFileStates that mean "starts at boot, or cannot be enabled" (static units have no [Install]).
const ENABLED = new Set(['enabled', 'enabled-runtime', 'alias', 'static', 'indirect', 'generated']);
const RUNNING = new Set(['active', 'activating', 'reloading']);

async function unitState(context: StepContext, unit: string): Promise<UnitState> {
  const command = ['systemctl', 'show', '-p', 'LoadState,ActiveState,UnitFileState', unit];
  const result = await context.executor.run(command);
  if (result.exitCode !== 0) throw commandFailure(command, result);
  const state: Record<string, string> = {};
  for (const line of result.stdout.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) state[line.slice(0, equals)] = line.slice(equals + 1).trim();
  }
  return state;
}

/**
 * A systemd service that is enabled or not and running or not. Its check is one `systemctl show`;
 * its apply runs `systemctl enable`/`disable` and `start`/`stop` as needed. A unit not loaded
 * yet (its file comes from an earlier step of the same run) counts as disabled and stopped, so
 * plan mode on a fresh host shows what apply will do. With `action` it is a restart or reload that
 * runs every time, as a handler.
 *
 * @example serviceStep({ unit: 'fleet-bus.service', enabled: true, state: 'started' })
 */
export function serviceStep(options: ServiceStepOptions): Step {
  const unit = options.unit.includes('.') ? options.unit : `${options.unit}.service`;
  if (options.action !== undefined && (options.enabled !== undefined || options.state !== undefined)) {
    throw new DeployError('invalid_plan', `Service ${unit}: give action, or enabled and state, not both`);
  }
  if (options.action === undefined && options.enabled === undefined && options.state === undefined) {
    throw new DeployError('invalid_plan', `Service ${unit}: give enabled, state or action`);
  }
  const name = options.action === undefined ? `service ${unit}` : `${options.action} ${unit}`;
  return {
    ...stepBase('service', name, options),
    async check(context) {
      if (options.action !== undefined) {
        const target = `systemctl ${options.action} ${unit}`;
        return [{ action: 'run', target, summary: `${options.action} ${unit}` }];
      }
      const found = await unitState(context, unit);
      if (found.UnitFileState === 'masked') {
        throw new DeployError('command_failed', `${unit} is masked: unmask it first (systemctl unmask ${unit})`);
      }
      const loaded = found.LoadState === 'loaded';
      const changes: StepChange[] = [];
      const enabled = loaded && ENABLED.has(found.UnitFileState ?? '');
      if (options.enabled !== undefined && options.enabled !== enabled) {
        const summary = options.enabled ? 'enable' : 'disable';
        changes.push({
          action: 'update',
          target: unit,
          summary: `${summary} (now ${loaded ? found.UnitFileState : 'not loaded'})`,
        });
      }
      const running = loaded && RUNNING.has(found.ActiveState ?? '');
      if (options.state !== undefined && (options.state === 'started') !== running) {
        const summary = options.state === 'started' ? 'start' : 'stop';
        changes.push({
          action: 'update',
          target: unit,
          summary: `${summary} (now ${loaded ? found.ActiveState : 'not loaded'})`,
        });
      }
      return changes;
    },
    async apply(context, planned) {
      const commands: string[][] = [];
      if (options.action !== undefined) commands.push(['systemctl', options.action, unit]);
      const due = (verb: string) =>
        planned === 'may change' || planned.some((change) => change.summary.startsWith(`${verb} `));
      if (options.enabled !== undefined && due(options.enabled ? 'enable' : 'disable')) {
        commands.push(['systemctl', options.enabled ? 'enable' : 'disable', unit]);
      }
      if (options.state !== undefined && due(options.state === 'started' ? 'start' : 'stop')) {
        commands.push(['systemctl', options.state === 'started' ? 'start' : 'stop', unit]);
      }
      let output = '';
      for (const command of commands) output += (await runChecked(context, command)).output;
      return { output };
    },
  };
}
