import type { ParsedCondition } from '../schemas/condition/parse-condition.ts';
import { DEFAULT_MAX_BODY_BYTES } from './fleet-monitor-options.ts';
import { probeHttp } from './internal/http-probe.ts';

/** Options of {@link probeUrl}. */
export interface ProbeUrlOptions {
  /** What must hold, parsed with `parseCondition`, e.g. `[STATUS] == 200`. */
  conditions: readonly ParsedCondition[];
  /** Request headers, e.g. an `authorization` token. */
  headers?: Readonly<Record<string, string>>;
  /** Give up on an answer after this long. @default 5000 */
  timeoutMs?: number;
  /** Most bytes of the body read. @default 1 MiB */
  maxBodyBytes?: number;
  /** Cancels the probe. */
  signal?: AbortSignal;
}

/** How one probe of a URL went. */
export interface UrlProbe {
  /** It answered and every condition held. */
  ok: boolean;
  /** The HTTP status, null when no answer came. */
  status: number | null;
  responseTimeMs: number;
  /** Why not ok: the first failed condition (`[BODY].status == ok: got "degraded"`) or the network error (`connection refused`). */
  reason: string | null;
}

/**
 * One HTTP GET of `url` judged by health conditions, exactly as the monitor probes a target (the
 * same request, body bound and condition language). Never throws.
 *
 * @example await probeUrl('http://10.0.0.5:8650/health', { conditions: [parseCondition('[STATUS] == 200')] })
 */
export async function probeUrl(url: string, options: ProbeUrlOptions): Promise<UrlProbe> {
  const outcome = await probeHttp(
    {
      target: { id: url, url, ...(options.headers === undefined ? {} : { headers: { ...options.headers } }) },
      conditions: options.conditions,
      timeoutMs: options.timeoutMs ?? 5_000,
    },
    {
      now: Date.now,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      slowThresholdMs: null,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
  const { ok, status, responseTimeMs, error } = outcome.result;
  return { ok, status, responseTimeMs, reason: ok ? null : error };
}
