import {
  AlertDeliveries,
  DashboardDeploys,
  FleetStatus,
  HistoryBucket,
  ServiceDetail,
  type TargetState,
  type TargetStatus,
} from '@fleet/sdk';

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

/** A full 40-character commit hash: one long word, as a deploy card and the deploys table show it. */
export const COMMIT = '9f1c2e7d4b8a6c3e5f0a1b2c3d4e5f60718293a4';

/**
 * Deploys as `GET /api/deploys` gives them: an apply run going on now (one host done, one in a
 * step, one waiting), a failed one with a rollback, a plan and an older good run, all of one commit.
 */
export function deploys(): DashboardDeploys {
  const run = (id: string, minutesAgo: number, extra: Record<string, unknown>) => ({
    id,
    trigger: 'webhook',
    mode: 'apply',
    user: 'ci-bot@git.example.org',
    commit: COMMIT,
    startedAt: iso(minutesAgo * 60_000),
    updatedAt: iso(minutesAgo * 60_000 - 30_000),
    problems: [],
    ...extra,
  });
  const failed = run('2025-11-30T11-20-04Z-7f3a', 40, {
    status: 'failed',
    finishedAt: iso(38 * 60_000),
    durationMs: 121_400,
    hosts: [
      { host: 'alpha', status: 'ok', durationMs: 48_200 },
      { host: 'beta', status: 'failed', durationMs: 61_900, rollback: 'ok' },
    ],
    problems: [
      'beta: health gate failed: merlin [STATUS] == 200 failed: 503 after 60 s',
      'beta: rolled back to 2025-11-29T18-02-11Z-c0de',
    ],
  });
  return DashboardDeploys.parse({
    runs: [
      run('2025-11-30T11-58-40Z-a91b', 1, {
        status: 'running',
        hosts: [
          { host: 'alpha', status: 'ok', durationMs: 31_000 },
          { host: 'beta', status: 'running', phase: 'install', step: 'npm ci --omit=dev --no-audit --no-fund' },
          { host: 'gamma-with-a-long-name.example.org', status: 'waiting' },
        ],
      }),
      failed,
      run('2025-11-30T10-05-00Z-1c2d', 115, {
        mode: 'plan',
        trigger: 'cli',
        status: 'changed',
        durationMs: 4_200,
        hosts: [{ host: 'alpha', status: 'changed', durationMs: 4_100 }],
      }),
      run('2025-11-29T18-02-11Z-c0de', 1078, {
        status: 'ok',
        durationMs: 95_000,
        hosts: [
          { host: 'alpha', status: 'ok', durationMs: 44_000 },
          { host: 'beta', status: 'ok', durationMs: 51_000 },
        ],
      }),
    ],
    count: 4,
    failed,
  });
}

/** Alerts as `GET /api/alerts` gives them: one pending with an error, sent ones, one given up. */
export function alerts(): AlertDeliveries {
  const delivery = (i: number, kind: string, status: string, extra: Record<string, unknown> = {}) => ({
    channel: i % 2 ? 'ops-ntfy' : 'slack-oncall',
    status,
    attempts: status === 'sent' ? 1 : 4,
    error: null,
    createdAt: iso(i * 7 * 60_000),
    finishedAt: status === 'pending' ? null : iso(i * 7 * 60_000 - 2_000),
    message: {
      id: `alert-${i}`,
      kind,
      severity: kind === 'recovered' ? 'info' : 'critical',
      title: `[test-fleet] merlin is ${kind === 'recovered' ? 'UP again' : 'DOWN'} on beta (10.0.0.2)`,
      text: 'merlin (wizard) on beta: connect ECONNREFUSED 10.0.0.2:8643 since 11:30 UTC',
      targets: ['merlin'],
      host: 'beta',
      fleet: 'test-fleet',
      at: iso(i * 7 * 60_000),
    },
    ...extra,
  });
  return AlertDeliveries.parse({
    enabled: true,
    deliveries: [
      delivery(1, 'down', 'pending', { error: 'connect ETIMEDOUT 203.0.113.9:443 (ntfy.example.org)' }),
      delivery(2, 'down', 'sent'),
      delivery(3, 'recovered', 'sent'),
      delivery(4, 'deploy_failed', 'sent'),
      delivery(5, 'dead_letters', 'failed', { error: 'HTTP 404 from the webhook: channel_not_found' }),
    ],
    count: 5,
  });
}
