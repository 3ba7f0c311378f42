import { FleetStatus, HistoryBucket, ServiceDetail, type TargetState, type TargetStatus } from '@fleet/sdk';

/** The instant the fixtures are generated at. */
export const NOW = Date.parse('2025-11-30T12:00:00.000Z');

const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();

function target(id: string, host: string, state: TargetState, extra: Partial<TargetStatus> = {}): TargetStatus {
  return {
    id,
    kind: 'custom',
    host,
    url: `http://${host}.lan:8000/health`,
    state,
    since: iso(3 * 3_600_000 + 12 * 60_000),
    lastCheckAt: iso(20_000),
    lastResponseTimeMs: 42,
    lastError: null,
    uptime: { '1h': 1, '24h': 0.9987, '7d': 0.99, '30d': null },
    latency: { p50Ms: 40, p95Ms: 120 },
    ...extra,
  };
}

/**
 * A fleet with a target in every state, fleet-file problems, a bus with dead letters and a
 * knowledge node lagging behind one peer. Validated with the SDK schema, like the server's output.
 */
export function fleetStatus(overrides: Partial<FleetStatus> = {}): FleetStatus {
  return FleetStatus.parse({
    generatedAt: new Date(NOW).toISOString(),
    file: 'fleet.yaml',
    problems: [
      {
        file: 'fleet.yaml',
        line: 12,
        column: 5,
        path: 'services.ollama.host',
        message: 'Unknown host "gamma": hosts are alpha, beta.',
        severity: 'error',
      },
      {
        file: 'fleet.yaml',
        line: 30,
        column: 3,
        path: 'wizards.merlin.prot',
        message: 'Unknown key "prot" (did you mean "port"?).',
        severity: 'warning',
      },
    ],
    hosts: [
      {
        name: 'alpha',
        address: '10.0.0.1',
        targets: [
          target('bus', 'alpha', 'up', { kind: 'bus' }),
          target('knowledge', 'alpha', 'degraded', {
            kind: 'knowledge',
            lastResponseTimeMs: 812,
            lastError: '[RESPONSE_TIME] < 300 failed: 812 ms',
          }),
          target('dashboard', 'alpha', 'deploying', { kind: 'dashboard' }),
        ],
      },
      {
        name: 'beta',
        address: '10.0.0.2',
        targets: [
          target('merlin', 'beta', 'down', {
            kind: 'wizard',
            lastResponseTimeMs: null,
            lastError: 'connect ECONNREFUSED 10.0.0.2:8643',
            uptime: { '1h': 0.25, '24h': 0.9, '7d': 0.98, '30d': 0.99 },
          }),
          target('ollama', 'beta', 'unknown', {
            kind: 'ollama',
            since: null,
            lastCheckAt: null,
            lastResponseTimeMs: null,
            uptime: { '1h': null, '24h': null, '7d': null, '30d': null },
          }),
        ],
      },
    ],
    counts: { up: 1, degraded: 1, down: 1, unknown: 1, deploying: 1 },
    bus: [
      {
        target: 'bus',
        at: iso(5_000),
        error: null,
        recipients: [
          { agent: 'merlin', ready: 3, inFlight: 1, delayed: 0, dead: 2, oldestReadyAgeSeconds: 95 },
          { agent: 'gandalf', ready: 0, inFlight: 0, delayed: 1, dead: 0, oldestReadyAgeSeconds: null },
        ],
        totals: { ready: 3, inFlight: 1, delayed: 1, dead: 2 },
      },
    ],
    knowledge: [
      {
        target: 'knowledge',
        at: iso(5_000),
        error: null,
        nodeId: 'node-a',
        peers: [
          {
            peer: 'node-b',
            lagFacts: 12,
            lagSeconds: 42,
            lastSuccessAt: iso(60_000),
            lastError: 'timeout after 5000 ms',
          },
          { peer: 'node-c', lagFacts: 0, lagSeconds: 0, lastSuccessAt: iso(3_000), lastError: null },
        ],
      },
    ],
    ...overrides,
  });
}

/** `count` 5-minute buckets ending at {@link NOW}, each from `make(i)` (defaults: 10 checks, all ok). */
export function buckets(count: number, make: (i: number) => Partial<HistoryBucket> = () => ({})): HistoryBucket[] {
  return Array.from({ length: count }, (_, i) =>
    HistoryBucket.parse({
      start: iso((count - i) * 300_000),
      resolution: '5m',
      checks: 10,
      ok: 10,
      p50Ms: 40 + (i % 7) * 3,
      p95Ms: 110 + (i % 5) * 20,
      maxMs: 300,
      ...make(i),
    }),
  );
}

/** The detail of the `merlin` wizard: a history with an outage and a gap, and three transitions. */
export function serviceDetail(): ServiceDetail {
  const merlin = fleetStatus().hosts[1]!.targets[0]!;
  return ServiceDetail.parse({
    status: merlin,
    history: buckets(36, (i) =>
      i >= 30
        ? { ok: 0, p50Ms: null, p95Ms: null }
        : i === 20
          ? { ok: 7 }
          : i === 10
            ? { checks: 0, ok: 0, p50Ms: null, p95Ms: null }
            : {},
    ),
    transitions: [
      {
        target: 'merlin',
        at: iso(30 * 60_000),
        from: 'degraded',
        to: 'down',
        reason: 'connect ECONNREFUSED 10.0.0.2:8643',
      },
      { target: 'merlin', at: iso(32 * 60_000), from: 'up', to: 'degraded', reason: 'recovered after a retry' },
      { target: 'merlin', at: iso(86_400_000), from: 'unknown', to: 'up', reason: null },
    ],
  });
}
