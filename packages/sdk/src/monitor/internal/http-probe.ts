import { toIso } from '../../internal/iso-time.ts';
import { linkedAbort } from '../../internal/linked-abort.ts';
import { hasUrlCredentials } from '../../schemas/http-url.ts';
import type { MonitorTarget, ProbeResult } from '../../schemas/monitor.ts';
import { type ConditionFailure, evaluateConditions } from '../condition/evaluate-conditions.ts';
import { networkReason } from './network-reason.ts';
import { readBoundedBody } from './read-body.ts';
import type { ResolvedTarget } from './resolve-target.ts';

/**
 * How a probe went for the state machine: `ok`; `slow` (it answered correctly, but a response
 * time condition failed or it took longer than the slow threshold); `fail` (no answer, or a
 * status or body condition failed).
 */
export type ProbeVerdict = 'ok' | 'slow' | 'fail';

/** A probe's result with what the state machine needs besides it. */
export interface ProbeOutcome {
  result: ProbeResult;
  /** Start of the probe, epoch milliseconds (`result.at` as a number). */
  atMs: number;
  /**
   * When the check asked for its slot (before waiting for the host's concurrency limit), epoch
   * milliseconds: a gap in monitoring is measured to this, so time a probe spent queued behind the
   * monitor's own other probes never counts as a gap. @default atMs
   */
  askedAtMs?: number;
  verdict: ProbeVerdict;
  /** Why it was slow or failed (the first relevant condition, or the network error). */
  reason: string | null;
}

/** What {@link probeHttp} needs of a target: its URL, headers and id, parsed conditions and timeout. */
export interface ProbeTarget {
  readonly target: Pick<MonitorTarget, 'id' | 'url' | 'headers'>;
  readonly conditions: ResolvedTarget['conditions'];
  readonly timeoutMs: number;
}

/** Settings of {@link probeHttp}. */
export interface ProbeSettings {
  now: () => number;
  maxBodyBytes: number;
  /** Answers slower than this are `slow` even when every condition held; null: conditions decide. */
  slowThresholdMs: number | null;
  /** Aborts the probe (the monitor closing). */
  signal?: AbortSignal;
}

const ACCEPT = 'application/json, text/plain;q=0.9, */*;q=0.8';
const CREDENTIALS_REASON =
  'the URL must not include credentials (user:password@); pass them in headers (e.g. an Authorization token) instead';

/** One real HTTP GET of a target's health URL, judged by its conditions. Never throws. */
export async function probeHttp(resolved: ProbeTarget, settings: ProbeSettings): Promise<ProbeOutcome> {
  const { target, conditions, timeoutMs } = resolved;
  const start = settings.now();
  const abort = linkedAbort(settings.signal);
  abort.timeoutAfter(timeoutMs);
  const { signal } = abort;
  let status: number | null = null;
  let failures: ConditionFailure[];
  let networkError: string | null = null;
  let responseTimeMs: number;
  try {
    // fetch would refuse it with an error that repeats the URL, password included, into history.
    if (hasUrlCredentials(target.url)) throw new TypeError(CREDENTIALS_REASON);
    const response = await fetch(target.url, {
      headers: { accept: ACCEPT, 'user-agent': 'fleet-monitor', ...target.headers },
      signal,
    });
    status = response.status;
    const { body, problem } = await readBoundedBody(response, settings.maxBodyBytes);
    responseTimeMs = elapsed(settings.now, start);
    failures = evaluateConditions(conditions, {
      status,
      responseTimeMs,
      body,
      ...(problem !== undefined ? { bodyProblem: problem } : {}),
    });
  } catch (error) {
    networkError = networkReason(error, timeoutMs);
    // Headers followed by a body that never came whole (a stall, a reset) are no answer either:
    // no response time, and no backlog or sync read that would wait another timeout.
    status = null;
    failures = [];
    responseTimeMs = elapsed(settings.now, start);
  } finally {
    abort.dispose();
  }
  const result: ProbeResult = {
    target: target.id,
    at: toIso(start),
    ok: networkError === null && failures.length === 0,
    status,
    responseTimeMs,
    error:
      networkError ??
      failures.find((failure) => failure.subject !== 'response_time')?.message ??
      failures[0]?.message ??
      null,
  };
  return { result, atMs: start, ...judge(result, failures, networkError, settings.slowThresholdMs) };
}

/**
 * Whether a probe's time is a response time that counts for latency figures: an answer came and
 * met every condition but response time (`ok` or `slow`). Slow answers count, so a slow target's
 * latency shows; a refused connection, a timeout or a wrong answer do not.
 */
export function isTimed(outcome: Pick<ProbeOutcome, 'verdict'>): boolean {
  return outcome.verdict !== 'fail';
}

/** Verdict of a finished probe (also used for results recorded from elsewhere, without failures). */
export function judge(
  result: ProbeResult,
  failures: readonly ConditionFailure[],
  networkError: string | null,
  slowThresholdMs: number | null,
): Pick<ProbeOutcome, 'verdict' | 'reason'> {
  if (networkError !== null) return { verdict: 'fail', reason: networkError };
  if (!result.ok && failures.length === 0) return { verdict: 'fail', reason: result.error ?? 'failed' };
  // A target that answers correctly, only too slowly, is degraded rather than failing.
  if (failures.length > 0) {
    const slowOnly = failures.every((failure) => failure.subject === 'response_time');
    return { verdict: slowOnly ? 'slow' : 'fail', reason: result.error };
  }
  if (slowThresholdMs !== null && result.responseTimeMs > slowThresholdMs) {
    return {
      verdict: 'slow',
      reason: `slower than ${slowThresholdMs} ms: took ${Math.round(result.responseTimeMs)} ms`,
    };
  }
  return { verdict: 'ok', reason: null };
}

function elapsed(now: () => number, start: number): number {
  // The wall clock may step backwards (NTP): a duration is never negative.
  return Math.max(0, now() - start);
}
