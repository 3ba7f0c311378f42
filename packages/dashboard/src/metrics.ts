import { TargetState } from '@fleet/sdk';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DashboardView } from './dashboard-view.ts';
import type { OverviewFeed } from './overview-feed.ts';

const PROBE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Registers the dashboard's metrics on a server's registry: targets per state and fleet-file
 * problems (read from the cached status at scrape time), probes per target and result and their
 * latency per kind (counted as they happen), and the pages connected for live updates. Returns the
 * function that stops counting probes.
 */
export function registerDashboardMetrics(registry: Registry, view: DashboardView, feed: OverviewFeed): () => void {
  new Gauge({
    name: 'fleet_dashboard_targets',
    help: 'Monitored targets (services and wizards), per state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const { counts } = view.status().status;
      for (const state of TargetState.options) this.set({ state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'fleet_dashboard_fleet_file_problems',
    help: "The fleet file's validation problems, per severity",
    labelNames: ['severity'],
    registers: [registry],
    collect() {
      const { problems } = view.status().status;
      const errors = problems.filter((problem) => problem.severity === 'error').length;
      this.set({ severity: 'error' }, errors);
      this.set({ severity: 'warning' }, problems.length - errors);
    },
  });
  new Gauge({
    name: 'fleet_dashboard_live_clients',
    help: 'Pages connected to /api/events',
    registers: [registry],
    collect() {
      this.set(feed.subscribers);
    },
  });
  const probes = new Counter({
    name: 'fleet_monitor_probes_total',
    help: 'Health probes run, per target and result (ok or failed)',
    labelNames: ['target', 'result'],
    registers: [registry],
  });
  // Per kind, not per target: a histogram per target would multiply the series by the buckets.
  const latency = new Histogram({
    name: 'fleet_monitor_probe_duration_seconds',
    help: 'Response time of health probes that got an answer, per target kind',
    labelNames: ['kind'],
    buckets: PROBE_BUCKETS,
    registers: [registry],
  });
  return view.monitor.onProbe((result) => {
    probes.inc({ target: result.target, result: result.ok ? 'ok' : 'failed' });
    // A refused connection or a timeout has no response time: its duration would pose as one.
    if (result.status === null) return;
    const kind = view.monitor.status(result.target)?.kind ?? 'custom';
    latency.observe({ kind }, result.responseTimeMs / 1000);
  });
}
