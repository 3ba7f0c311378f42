import { toIso } from '../../internal/iso-time.ts';
import type { StateTransition, TargetStatus, Uptime } from '../../schemas/monitor.ts';
import type { HistoryStore } from '../history/history-store.ts';
import { bucketOf } from '../history/time-buckets.ts';
import { BusBacklogReader } from '../readers/bus-backlog-reader.ts';
import { KnowledgeSyncReader } from '../readers/knowledge-sync-reader.ts';
import { isTimed, type ProbeOutcome } from './http-probe.ts';
import { LatencyWindow } from './latency-window.ts';
import type { ResolvedTarget } from './resolve-target.ts';
import { restoreHistory } from './restore-history.ts';
import { RECOVERING, type StateChange, TargetStateMachine } from './target-state.ts';
import { UptimeCounters } from './uptime-counters.ts';

/** Everything the monitor keeps in memory about one target. */
export interface TargetRuntime {
  resolved: ResolvedTarget;
  readonly machine: TargetStateMachine;
  readonly counters: UptimeCounters;
  /** The bus or knowledge reader of a `bus` or `knowledge` target. */
  reader: BusBacklogReader | KnowledgeSyncReader | null;
  /** The last probe: when, how long its answer took (null: no answer came), why it failed. */
  last: { atMs: number; responseTimeMs: number | null; error: string | null } | null;
  /** Latencies of the last 24 h (timed probes only, see `isTimed`), for p50/p95. */
  readonly latency: LatencyWindow;
  /** Cached uptime and the 5-minute bucket it was computed in; null when a probe arrived since. */
  uptime: { value: Uptime; bucket: number } | null;
  /**
   * The check running (or waiting for its slot) now, so a target is never probed twice at once;
   * it resolves with nothing when a stop drops it before it started.
   */
  inflight: Promise<ProbeOutcome | undefined> | null;
  deployTimer: NodeJS.Timeout | undefined;
}

/**
 * A runtime for a target, restored from the history: last state, uptime counters, 24 h latencies.
 * The state is taken as it was; {@link noteGap} then decides whether it still holds.
 */
export function createRuntime(resolved: ResolvedTarget, store: HistoryStore, nowMs: number): TargetRuntime {
  const { target } = resolved;
  const id = store.idOf(target.id);
  const queries = store.queries;
  const [lastTransition] = store.transitions(target.id, 1);
  const machine = new TargetStateMachine(
    target,
    lastTransition
      ? {
          state: lastTransition.to,
          since: lastTransition.atMs,
          recovering: lastTransition.reason?.startsWith(RECOVERING) ?? false,
        }
      : undefined,
  );
  const counters = new UptimeCounters();
  const latency = new LatencyWindow();
  restoreHistory(queries, id, nowMs, counters, latency);
  const last = store.lastProbe(target.id);
  const runtime: TargetRuntime = {
    resolved,
    machine,
    counters,
    reader: readerFor(resolved),
    last: last ? { ...last, error: null } : null,
    latency,
    uptime: null,
    inflight: null,
    deployTimer: undefined,
  };
  return runtime;
}

/** Applies a changed configuration of the same target id; its state and counters are kept. */
export function updateRuntime(runtime: TargetRuntime, resolved: ResolvedTarget): void {
  const before = runtime.resolved.target;
  const after = resolved.target;
  runtime.resolved = resolved;
  runtime.machine.setThresholds(after);
  const readerChanged =
    before.kind !== after.kind ||
    before.url !== after.url ||
    JSON.stringify(before.headers) !== JSON.stringify(after.headers);
  if (readerChanged) runtime.reader = readerFor(resolved);
}

/** The longest delay setTimeout takes (2^31 - 1 ms); Node turns a longer one into 1 ms. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Longest time without a probe of a target that is not a gap in monitoring: two intervals and a
 * timeout. Probes run an interval apart (start to start); a monitor that restarts spreads its
 * first probes over an interval, so a quick restart stays within this.
 */
export function gapAfterMs(resolved: ResolvedTarget): number {
  return 2 * resolved.target.intervalMs + resolved.timeoutMs;
}

/**
 * When nothing probed the target for longer than {@link gapAfterMs} before `nowMs` (the monitor
 * was not running, the process was suspended), its state no longer holds: it becomes `unknown`
 * from its last probe on, until the next probe says more. Uptime needs nothing here: it counts
 * probes, and a gap has none. Returns the state change, if any.
 */
export function noteGap(runtime: TargetRuntime, nowMs: number, cause?: string): StateChange | null {
  const lastMs = runtime.last?.atMs ?? runtime.machine.since;
  if (lastMs === null || nowMs - lastMs <= gapAfterMs(runtime.resolved)) return null;
  const reason = `no probe for ${formatGap(nowMs - lastMs)}`;
  return runtime.machine.forget(lastMs, cause === undefined ? reason : `${reason}: ${cause}`);
}

/** How long a gap lasted, to the second, for a transition's reason: `4m`, `45m30s`, `26h5m`. */
function formatGap(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const parts = [
    [Math.floor(seconds / 3600), 'h'],
    [Math.floor(seconds / 60) % 60, 'm'],
    [seconds % 60, 's'],
  ] as const;
  return parts.map(([value, unit]) => (value > 0 ? `${value}${unit}` : '')).join('') || '0s';
}

/**
 * Takes a probe's outcome, recorded at `nowMs`, into the in-memory figures and the state machine;
 * returns the state change, if any.
 */
export function applyOutcome(runtime: TargetRuntime, outcome: ProbeOutcome, nowMs: number): StateChange | null {
  const { result, atMs } = outcome;
  runtime.counters.add(atMs, result.ok);
  if (isTimed(outcome)) runtime.latency.add(atMs, result.responseTimeMs, nowMs);
  runtime.uptime = null;
  // A refused connection or a timeout took time, but that is no response time.
  runtime.last = { atMs, responseTimeMs: result.status === null ? null : result.responseTimeMs, error: result.error };
  return runtime.machine.apply(atMs, outcome.verdict, outcome.reason);
}

/**
 * Starts (or, with `untilMs <= nowMs`, ends) a target's deploy window, passing the state changes
 * to `emit`. The end also arrives without a probe: a timer on real time, checked on `now`.
 */
export function setDeployWindow(
  runtime: TargetRuntime,
  nowMs: number,
  untilMs: number,
  now: () => number,
  emit: (change: StateChange | null) => void,
): void {
  clearTimeout(runtime.deployTimer);
  emit(runtime.machine.markDeploying(nowMs, untilMs));
  if (untilMs <= nowMs) return;
  // A timer may fire a moment before the wall clock reaches `untilMs` (timers run on a monotonic
  // clock): then it waits for the rest, or the window would stay open until the next probe. A
  // window longer than a timer can wait (about 24.8 days) is waited for in steps the same way.
  const arm = (delayMs: number) => {
    runtime.deployTimer = setTimeout(
      () => {
        const left = untilMs - now();
        if (left > 0) arm(left);
        else emit(runtime.machine.expire(now()));
      },
      Math.min(delayMs, MAX_TIMER_DELAY_MS),
    );
    runtime.deployTimer.unref();
  };
  arm(untilMs - nowMs);
}

/** A state change as the wire's {@link StateTransition}. */
export function toTransition(target: string, change: StateChange): StateTransition {
  return { target, at: toIso(change.atMs), from: change.from, to: change.to, reason: change.reason };
}

/** The status of a target, from memory. */
export function statusOf(runtime: TargetRuntime, nowMs: number): TargetStatus {
  const { target } = runtime.resolved;
  const bucket = bucketOf(nowMs);
  if (runtime.uptime?.bucket !== bucket) runtime.uptime = { value: runtime.counters.uptime(nowMs), bucket };
  return {
    id: target.id,
    kind: target.kind,
    host: target.host,
    url: target.url,
    state: runtime.machine.state,
    since: runtime.machine.since === null ? null : toIso(runtime.machine.since),
    lastCheckAt: runtime.last ? toIso(runtime.last.atMs) : null,
    lastResponseTimeMs: runtime.last ? runtime.last.responseTimeMs : null,
    lastError: runtime.last ? runtime.last.error : null,
    uptime: runtime.uptime.value,
    latency: runtime.latency.percentiles(nowMs),
  };
}

function readerFor(resolved: ResolvedTarget): BusBacklogReader | KnowledgeSyncReader | null {
  if (resolved.target.kind === 'bus') return new BusBacklogReader(resolved);
  if (resolved.target.kind === 'knowledge') return new KnowledgeSyncReader(resolved);
  return null;
}
