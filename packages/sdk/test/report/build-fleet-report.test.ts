import { hasPostgres } from '@fleet/test-utils/postgres';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import type { FleetMonitor } from '../../src/monitor/fleet-monitor.ts';
import { buildFleetReport } from '../../src/report/build-fleet-report.ts';
import { FleetReport } from '../../src/report/fleet-report.ts';
import { monitorReportSource } from '../../src/report/monitor-report-source.ts';
import type { FleetStatus } from '../../src/schemas/fleet-status.ts';
import { startTestBus, type TestBus } from '../_bus-server.ts';
import { startTestKnowledge, type TestKnowledge } from '../_knowledge-server.ts';
import { freshPostgresUrl } from '../_stores.ts';
import { openMonitor, refusedUrl, T0, type TestClock, targetFor, testClock } from '../monitor/_monitor.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Records one probe of each target every 30 s in [from, to), failing where `failing` says, the clock following. */
function feed(
  monitor: FleetMonitor,
  clock: TestClock,
  from: number,
  to: number,
  failing: Record<string, (at: number) => boolean>,
) {
  for (let at = from; at < to; at += 30_000) {
    clock.ms = at;
    for (const [id, fails] of Object.entries(failing)) {
      const ok = !fails(at);
      monitor.record({
        target: id,
        at: iso(at),
        ok,
        status: ok ? 200 : 503,
        responseTimeMs: 5,
        error: ok ? null : 'status 503',
      });
    }
  }
}

/** A fleet status with the monitor's targets on one host, as the dashboard would build it. */
function statusOf(monitor: FleetMonitor, clock: TestClock): FleetStatus {
  return {
    generatedAt: iso(clock.ms),
    file: 'fleet.yaml',
    problems: [
      { file: 'fleet.yaml', line: 4, column: 3, path: 'services.web', message: 'unused', severity: 'warning' },
    ],
    hosts: [{ name: 'vps1', address: '10.0.0.1', targets: monitor.statuses() }],
    counts: { up: 0, degraded: 0, down: 0, unknown: 0, deploying: 0 },
    bus: [],
    knowledge: [],
  };
}

function setup() {
  const clock = testClock();
  const monitor = openMonitor({
    targets: [
      targetFor('api', 'http://127.0.0.1:9/health', { host: 'vps1', intervalMs: 30_000 }),
      targetFor('web', 'http://127.0.0.1:9/health', { host: 'vps1', intervalMs: 30_000 }),
    ],
    now: clock.now,
  });
  const source = { monitor: monitorReportSource({ monitor, status: () => statusOf(monitor, clock) }) };
  return { clock, monitor, source };
}

describe('buildFleetReport: targets from the monitor', () => {
  test('uptime counts the probes of the period; a down time between two transitions is one incident with its reason', async () => {
    const { clock, monitor, source } = setup();
    // api fails from 00:30 to 00:40 (20 probes): down at the 3rd failure, back after 2 good probes.
    feed(monitor, clock, T0, T0 + 2 * HOUR, {
      api: (at) => at >= T0 + 30 * MINUTE && at < T0 + 40 * MINUTE,
      web: () => false,
    });
    clock.ms = T0 + 2 * HOUR;

    const report = FleetReport.parse(await buildFleetReport(source, { periodMs: 2 * HOUR, now: clock.now }));

    expect(report.since).toBe(iso(T0));
    expect(report.until).toBe(iso(T0 + 2 * HOUR));
    const [api, web] = report.targets;
    expect(api).toMatchObject({ id: 'api', host: 'vps1', state: 'up', checks: 240, partial: false });
    expect(api!.uptime).toBeCloseTo(220 / 240, 10);
    // Down from the 3rd failed probe (00:31:00) until the first good one (00:40:00) ends it.
    const wentDown = T0 + 31 * MINUTE;
    expect(api!.incidents).toHaveLength(1);
    expect(api!.incidents[0]!.start).toBe(iso(wentDown));
    expect(api!.incidents[0]!.reason).toMatch(/3 failed probes/);
    const cameBack = Date.parse(api!.incidents[0]!.end!);
    expect(cameBack).toBe(T0 + 40 * MINUTE);
    expect(api!.incidents[0]!.durationMs).toBe(cameBack - wentDown);
    expect(api!.downMs).toBe(cameBack - wentDown);
    expect(web).toMatchObject({ id: 'web', uptime: 1, downMs: 0, incidents: [], checks: 240 });
    expect(report.problems).toEqual([expect.objectContaining({ path: 'services.web', severity: 'warning' })]);
    expect(report.gaps).toEqual([]);
  });

  test('an incident that began before the period and goes on is counted from the period start, with no end', async () => {
    const { clock, monitor, source } = setup();
    feed(monitor, clock, T0, T0 + 3 * HOUR, { api: (at) => at >= T0 + HOUR, web: () => false });
    clock.ms = T0 + 3 * HOUR;

    const report = await buildFleetReport(source, { periodMs: HOUR, now: clock.now });

    const api = report.targets.find((target) => target.id === 'api')!;
    expect(api).toMatchObject({ state: 'down', uptime: 0, downMs: HOUR });
    expect(api.incidents).toEqual([
      {
        start: iso(T0 + HOUR + MINUTE),
        end: null,
        durationMs: 2 * HOUR - MINUTE,
        reason: expect.stringMatching(/3 failed probes/),
      },
    ]);
  });

  test('a target that flapped more than 50 times in the period has every incident counted', async () => {
    const { clock, monitor, source } = setup();
    // Cycles of 5 probes: 3 failures (down), 2 good ones (up again): 48 down times in 2 h.
    feed(monitor, clock, T0, T0 + 2 * HOUR, { api: (at) => ((at - T0) / 30_000) % 5 < 3, web: () => false });
    clock.ms = T0 + 2 * HOUR;

    const report = await buildFleetReport(source, { periodMs: 2 * HOUR + MINUTE, now: clock.now });

    const api = report.targets.find((target) => target.id === 'api')!;
    expect(monitor.transitions('api', 1000).length).toBeGreaterThan(100);
    expect(api.incidents).toHaveLength(48);
    expect(api.partial).toBe(false);
    expect(api.downMs).toBe(api.incidents.reduce((sum, incident) => sum + incident.durationMs, 0));
  });

  // The period starts and ends 2.5 minutes into a 5-minute bucket (and mid-day); in those buckets,
  // api failed just before the period and again just after it ended (the monitor kept probing
  // while the report was made).
  test.each([
    // 5-minute buckets; the parts of the edge buckets in the period are read as raw probes.
    { label: '24 h', periodMs: 24 * HOUR, checks: 115 + 120 },
    // Days; the first day's part in the period as 5-minute buckets, of which the one that began
    // before the period is left out (raw probes from 10 days ago are no longer kept: 5 fewer).
    { label: '10 days', periodMs: 10 * 24 * HOUR, checks: 110 + 120 },
  ])(
    'uptime counts only the probes made in the period, not the rest of the buckets at its edges ($label)',
    async ({ periodMs, checks }) => {
      const { clock, monitor, source } = setup();
      const sinceMs = T0 + 150_000;
      const untilMs = sinceMs + periodMs;
      // 5 failures before the period, 115 good probes in its first hour.
      feed(monitor, clock, T0, T0 + HOUR, { api: (at) => at < sinceMs });
      // 120 good probes in its last hour, 4 failures after it.
      feed(monitor, clock, untilMs - HOUR, untilMs + 2 * MINUTE, { api: (at) => at >= untilMs });
      monitor.rollup();

      const report = await buildFleetReport(source, { periodMs, now: () => untilMs });

      expect(report.targets.find((target) => target.id === 'api')).toMatchObject({ uptime: 1, checks });
      expect(report.gaps).toEqual([]);
    },
  );

  // The period starts 2.5 minutes into a 5-minute bucket, mid-day; api was probed for 6 hours
  // before it and its first 7 hours (840 probes), down from its 1st to its 3rd hour (240 probes).
  // Its first day is read as 5-minute buckets, asked for explicitly: the monitor would answer a
  // range that began more than 30 days ago in days again.
  test.each([
    // The rollup at the period's end removed the raw probes and the 5-minute buckets before it:
    // the one that began before the period is left out (5 fewer probes).
    { label: '30 days', periodMs: 30 * DAY, rollup: true, checks: 835, ok: 595, partial: false },
    // No rollup yet: every 5-minute bucket and raw probe of the first day is still kept.
    { label: '60 days, not rolled up', periodMs: 60 * DAY, rollup: false, checks: 840, ok: 600, partial: false },
    // The rollup removed the first day's 5-minute buckets: that day is counted whole, and partial.
    { label: '60 days', periodMs: 60 * DAY, rollup: true, checks: 720 + 840, ok: 720 + 600, partial: true },
  ])(
    'an outage in the first day of a long period counts in its uptime ($label)',
    async ({ periodMs, rollup, checks, ok, partial }) => {
      const { clock, monitor, source } = setup();
      const sinceMs = T0 + 150_000;
      const untilMs = sinceMs + periodMs;
      feed(monitor, clock, sinceMs - 6 * HOUR, sinceMs + 7 * HOUR, {
        api: (at) => at >= sinceMs + HOUR && at < sinceMs + 3 * HOUR,
      });
      clock.ms = untilMs;
      if (rollup) monitor.rollup();
      // The monitor's clock moves on while the report is made.
      clock.ms = untilMs + MINUTE;

      const report = await buildFleetReport(source, { periodMs, now: () => untilMs });

      const api = report.targets.find((target) => target.id === 'api')!;
      expect(api).toMatchObject({ checks, partial });
      expect(api.uptime).toBeCloseTo(ok / checks, 10);
      expect(api.incidents).toHaveLength(1);
      expect(report.gaps).toEqual([]);
    },
  );

  test('a period without probes has no uptime, and an earlier recovered incident is not in it', async () => {
    const { clock, monitor, source } = setup();
    feed(monitor, clock, T0, T0 + HOUR, { api: (at) => at < T0 + 10 * MINUTE });
    clock.ms = T0 + 5 * HOUR;

    const report = await buildFleetReport(source, { periodMs: HOUR, now: clock.now });

    expect(report.targets.find((target) => target.id === 'api')).toMatchObject({
      uptime: null,
      checks: 0,
      downMs: 0,
      incidents: [],
    });
  });
});

describe('buildFleetReport: bus traffic, knowledge sync and gaps', () => {
  let bus: TestBus;
  let knowledge: TestKnowledge;

  test("each agent's sent, received, acked and dead-lettered messages come from the bus's audit trail, its backlog from the queue", async () => {
    bus = await startTestBus();
    closers.push(() => bus.close());
    const client = bus.client();
    await client.subscribe('worker', 'jobs');
    await client.subscribe('auditor', 'jobs');
    await client.send({ from: 'planner', topic: 'jobs', payload: 1 }); // two copies
    await client.send({ from: 'planner', to: 'worker', payload: 2 });
    await client.send({ from: 'scout', to: 'worker', payload: 3 });
    await client.send({ from: 'scout', to: 'idle', payload: 4 });
    const { deliveries } = await client.receive({ agent: 'worker', limit: 2 });
    await client.ack(deliveries.map((delivery) => delivery.receipt));
    // The third message to worker fails every attempt (5 by default) and is dead-lettered.
    for (let attempt = 0; attempt < 5; attempt++) {
      const [delivery] = (await client.receive({ agent: 'worker', limit: 1 })).deliveries;
      await client.nack({ receipt: delivery!.receipt, delaySeconds: 0, reason: 'boom' });
    }

    const report = await buildFleetReport({ buses: [{ target: 'bus', client }] });

    expect(report.bus).toHaveLength(1);
    const [entry] = report.bus;
    expect(entry).toMatchObject({ target: 'bus', error: null, partial: false });
    const byAgent = Object.fromEntries(entry!.agents.map((agent) => [agent.agent, agent]));
    expect(Object.keys(byAgent)).toEqual(['auditor', 'idle', 'planner', 'scout', 'worker']);
    expect(byAgent.planner).toMatchObject({ sent: 3, received: 0, acked: 0, deadLettered: 0 });
    expect(byAgent.scout).toMatchObject({ sent: 2, received: 0 });
    expect(byAgent.worker).toMatchObject({ sent: 0, received: 3, acked: 2, deadLettered: 1, ready: 0, dead: 1 });
    expect(byAgent.auditor).toMatchObject({ received: 1, acked: 0, ready: 1 });
    expect(byAgent.idle).toMatchObject({ received: 1, ready: 1 });
    expect(byAgent.idle!.oldestReadyAgeSeconds).toBeGreaterThanOrEqual(0);
    // Without a monitor source the report says where uptime and deploys would have come from.
    expect(report.gaps).toEqual([{ source: 'monitor', error: expect.stringMatching(/no dashboard or monitor/) }]);
  });

  test('events before the period are not counted (the audit trail is read from its start)', async () => {
    bus = await startTestBus();
    closers.push(() => bus.close());
    const client = bus.client();
    await client.send({ from: 'planner', to: 'worker', payload: 1 });

    const later = await buildFleetReport(
      { buses: [{ target: 'bus', client }] },
      { now: () => Date.now() + 2 * HOUR, periodMs: HOUR },
    );

    expect(later.bus[0]!.agents).toEqual([expect.objectContaining({ agent: 'worker', received: 0, ready: 1 })]);
  });

  test('a bus is partial when its retention removed events of the period, not when it removed only older ones', async () => {
    bus = await startTestBus({ store: { auditMaxEvents: 2 } });
    closers.push(() => bus.close());
    const client = bus.client();
    for (const payload of [1, 2, 3]) await client.send({ from: 'planner', to: 'worker', payload });
    // The server sweeps every second: the oldest event goes.
    await expect.poll(async () => (await client.audit()).prunedThrough, { timeout: 5000 }).not.toBeNull();
    const sources = { buses: [{ target: 'bus', client }] };

    const spanning = await buildFleetReport(sources, { periodMs: HOUR });
    const after = await buildFleetReport(sources, { now: () => Date.now() + 2 * HOUR, periodMs: HOUR });

    expect(spanning.bus[0]).toMatchObject({ partial: true });
    expect(after.bus[0]).toMatchObject({ partial: false });
  });

  test.skipIf(!hasPostgres())('a young bus is not partial, whatever its sequence numbers', async () => {
    // On PostgreSQL a rolled-back insert uses up a sequence number: the first event kept is not seq 1.
    const url = await freshPostgresUrl();
    bus = await startTestBus({ db: url });
    closers.push(() => bus.close());
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    closers.push(() => db.end());
    const client = bus.client();
    await client.stats(); // the schema is in place
    await db.query(`SELECT nextval(pg_get_serial_sequence('audit', 'seq'))`);
    await client.send({ from: 'planner', to: 'worker', payload: 1 });
    expect((await client.audit()).events[0]!.seq).toBe(2);

    const report = await buildFleetReport({ buses: [{ target: 'bus', client }] }, { periodMs: HOUR });

    expect(report.bus[0]).toMatchObject({ partial: false });
    expect((await client.audit()).prunedThrough).toBeNull();
  });

  test("a knowledge node's lag and lost conflicts per peer come from its sync status", async () => {
    knowledge = await startTestKnowledge();
    const peer = await startTestKnowledge();
    closers.push(
      () => knowledge.close(),
      () => peer.close(),
    );
    await knowledge.client().addPeer({ id: peer.nodeId, url: peer.url });
    await knowledge.client().put({ key: 'a', value: 1 });

    const report = await buildFleetReport({ knowledge: [{ target: 'knowledge', client: knowledge.client() }] });

    expect(report.knowledge).toEqual([
      {
        target: 'knowledge',
        error: null,
        nodeId: knowledge.nodeId,
        conflictsLost: 0,
        peers: [expect.objectContaining({ peer: peer.nodeId, lagFacts: 1, lastSuccessAt: null, conflictsLost: 0 })],
      },
    ]);
  });

  test('a service that cannot be reached is a gap named after it, and the rest of the report is made', async () => {
    const url = new URL(await refusedUrl()).origin;
    bus = await startTestBus();
    closers.push(() => bus.close());
    const { BusClient, KnowledgeClient } = await import('../../src/index.ts');

    const report = await buildFleetReport({
      buses: [
        { target: 'bus', client: bus.client() },
        { target: 'bus-b', client: new BusClient({ url, retry: 0 }) },
      ],
      knowledge: [{ target: 'knowledge', client: new KnowledgeClient({ url, retry: 0 }) }],
    });

    expect(report.bus.map((entry) => [entry.target, entry.error === null])).toEqual([
      ['bus', true],
      ['bus-b', false],
    ]);
    expect(report.knowledge[0]).toMatchObject({ target: 'knowledge', nodeId: null, peers: [] });
    expect(report.gaps.map((gap) => gap.source)).toEqual(['monitor', 'bus-b', 'knowledge']);
    expect(() => FleetReport.parse(report)).not.toThrow();
  });
});
