import { Counter, type Metric, Registry } from 'prom-client';

/** Records one route's requests in plain numbers; prom-client sees them only when scraped. */
export interface RouteMetrics {
  /** Counts a request answered with `status` that took `seconds` until its response was ready. */
  record(status: number, seconds: number): void;
}

/** The HTTP metrics of one server, on its own registry. */
export interface HttpMetrics {
  readonly registry: Registry;
  /** The recorder for a route, labelled by its contract path (never the raw URL). */
  forRoute(method: string, route: string): RouteMetrics;
}

/** Latency buckets in seconds, finer at the low end where a bus request lives. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DURATION = 'fleet_http_request_duration_seconds';
const DURATION_HELP =
  'Time until the response was ready (for event streams: until the stream opened), by method and route';

/** One route's numbers; the hot path only bumps these. */
class RouteStats implements RouteMetrics {
  readonly method: string;
  readonly route: string;
  /** Requests per status, and how many of them the counter has already been given. */
  readonly statuses = new Map<number, { total: number; exported: number }>();
  /** Observations per bucket (not cumulative); the last slot is `+Inf`. */
  buckets = new Float64Array(BUCKETS.length + 1);
  sum = 0;
  count = 0;

  constructor(method: string, route: string) {
    this.method = method;
    this.route = route;
  }

  record(status: number, seconds: number): void {
    const entry = this.statuses.get(status);
    if (entry) entry.total++;
    else this.statuses.set(status, { total: 1, exported: 0 });
    let bucket = 0;
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]!) bucket++;
    this.buckets[bucket]!++;
    this.sum += seconds;
    this.count++;
  }
}

/**
 * Creates `fleet_http_requests_total{method,route,status}` and
 * `fleet_http_request_duration_seconds{method,route}` on a private registry. Requests are counted
 * in plain numbers (prom-client hashes labels on every call, which shows in a benchmark) and
 * handed to the registry when it is scraped.
 */
export function createHttpMetrics(): HttpMetrics {
  const registry = new Registry();
  const routes: RouteStats[] = [];

  new Counter({
    name: 'fleet_http_requests_total',
    help: 'HTTP requests answered, by method, route (contract path) and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
    collect() {
      for (const stats of routes) {
        for (const [status, entry] of stats.statuses) {
          if (entry.total === entry.exported) continue;
          this.inc({ method: stats.method, route: stats.route, status: String(status) }, entry.total - entry.exported);
          entry.exported = entry.total;
        }
      }
    },
  });

  // A histogram prom-client reads from the numbers above: it has no API to add counts in bulk.
  const duration = {
    name: DURATION,
    help: DURATION_HELP,
    type: 'histogram',
    aggregator: 'sum',
    labelNames: ['method', 'route'],
    async get() {
      const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
      for (const stats of routes) {
        if (stats.count === 0) continue;
        const labels = { method: stats.method, route: stats.route };
        let cumulative = 0;
        for (let i = 0; i <= BUCKETS.length; i++) {
          cumulative += stats.buckets[i]!;
          values.push({
            labels: { ...labels, le: BUCKETS[i] ?? '+Inf' },
            value: cumulative,
            metricName: `${DURATION}_bucket`,
          });
        }
        values.push({ labels, value: stats.sum, metricName: `${DURATION}_sum` });
        values.push({ labels, value: stats.count, metricName: `${DURATION}_count` });
      }
      return { name: DURATION, help: DURATION_HELP, type: 'histogram', aggregator: 'sum', values };
    },
    reset() {
      for (const stats of routes) {
        stats.buckets = new Float64Array(BUCKETS.length + 1);
        stats.sum = 0;
        stats.count = 0;
      }
    },
  };
  registry.registerMetric(duration as unknown as Metric);

  return {
    registry,
    forRoute(method, route) {
      const stats = new RouteStats(method, route);
      routes.push(stats);
      return stats;
    },
  };
}
