import { setTimeout as sleep } from 'node:timers/promises';
import { probeUrl, type UrlProbe } from '../../monitor/probe-url.ts';
import { type ParsedCondition, parseCondition } from '../../schemas/condition/parse-condition.ts';
import { DeployError } from '../errors.ts';
import type { Step, StepOptions } from '../step.ts';
import { stepBase } from '../step.ts';

/** Options of {@link healthStep}. */
export interface HealthStepOptions extends StepOptions {
  /** The health URL, probed from the deployer's machine, e.g. `http://10.0.0.5:8650/health`. */
  url: string;
  /**
   * What must hold, in the monitor's condition language.
   * @default ['[STATUS] == 200']
   * @example ['[STATUS] == 200', '[BODY].status == ok']
   */
  conditions?: readonly string[];
  /** Good probes in a row it takes. @default 2 */
  successes?: number;
  /** How long apply waits for them (the last probe may take its own timeout longer). @default 60_000 */
  timeoutMs?: number;
  /** Between two probes. @default 1_000 */
  intervalMs?: number;
  /** One probe's timeout. @default 5_000 */
  probeTimeoutMs?: number;
  /** Request headers, e.g. an `authorization` token (put it in `secrets` too). */
  headers?: Readonly<Record<string, string>>;
}

function parseConditions(url: string, conditions: readonly string[]): ParsedCondition[] {
  return conditions.map((condition) => {
    try {
      return parseCondition(condition);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DeployError('invalid_plan', `Health step ${url}: ${message}`, { cause: error });
    }
  });
}

/**
 * A health gate: waits until `url` passes its conditions `successes` times in a row, probing from
 * the deployer's machine exactly as the monitor does. It never changes the host.
 *
 * - Apply mode: `ok` once it passes, `failed` with the last probe's reason
 *   (`[BODY].status == ok: got "degraded"`, `connection refused`) when `timeoutMs` runs out.
 * - Plan mode: one probe, no waiting (the service may not be deployed yet): `ok` when it passes,
 *   else `changed` ("would wait") with the reason, never `failed`.
 *
 * Put it in the phase after the one whose handlers restart the service: handlers run at the end
 * of a phase.
 *
 * @example healthStep({ url: 'http://10.0.0.5:8650/health', conditions: ['[STATUS] == 200', '[BODY].status == ok'] })
 */
export function healthStep(options: HealthStepOptions): Step {
  const conditions = parseConditions(options.url, options.conditions ?? ['[STATUS] == 200']);
  const successes = options.successes ?? 2;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 1_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
  // Each probe gets its full timeout, even the last one: cut short, its reason would be a timeout.
  const probe = (signal: AbortSignal | undefined): Promise<UrlProbe> =>
    probeUrl(options.url, {
      conditions,
      timeoutMs: probeTimeoutMs,
      ...(options.headers === undefined ? {} : { headers: options.headers }),
      ...(signal === undefined ? {} : { signal }),
    });
  return {
    ...stepBase('health', `health ${options.url}`, options),
    async check(context) {
      if (context.mode === 'plan') {
        const once = await probe(context.signal);
        if (once.ok) return [];
        return [{ action: 'run', target: options.url, summary: `wait until healthy (now: ${once.reason})` }];
      }
      const deadline = performance.now() + timeoutMs;
      let inARow = 0;
      let last: UrlProbe | undefined;
      for (;;) {
        if (context.signal?.aborted) throw new DeployError('unhealthy', `${options.url}: the run was aborted`);
        last = await probe(context.signal);
        inARow = last.ok ? inARow + 1 : 0;
        if (inARow >= successes) return [];
        const left = deadline - performance.now();
        if (left <= 0) break;
        // An abort ends the wait at once; the loop then reports it.
        const wait = context.signal === undefined ? {} : { signal: context.signal };
        await sleep(Math.min(intervalMs, left), undefined, wait).catch(() => {});
      }
      const why = last?.ok ? `only ${inARow} of ${successes} good probes in a row` : last?.reason;
      throw new DeployError('unhealthy', `${options.url} not healthy after ${timeoutMs} ms: ${why}`);
    },
    async apply() {
      return undefined;
    },
  };
}
