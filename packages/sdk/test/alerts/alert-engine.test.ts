import { describe, expect, test } from 'vitest';
import {
  type AlertDispatch,
  AlertEngine,
  type AlertEngineMemory,
  type AlertNotified,
} from '../../src/alerts/alert-engine.ts';
import { AlertOutbox } from '../../src/alerts/alert-outbox.ts';
import type { AlertsSpecInput } from '../../src/alerts/alerts-spec.ts';
import type { TargetState } from '../../src/schemas/monitor.ts';
import { alertsSpec, freshDbPath, onCleanup, T0, testClock } from './_alerting.ts';

const channels = { ops: { type: 'webhook', url: 'http://127.0.0.1:9/alerts' } } as const;

function setup(input: Partial<AlertsSpecInput> = {}, targets = [{ id: 'api', host: 'a' }]) {
  const clock = testClock();
  const engine = new AlertEngine({
    spec: alertsSpec({ channels, rules: [{ events: ['down', 'recovered'], channels: ['ops'] }], ...input }),
    hostGroups: { a: ['web'], b: ['gpu'] },
    now: clock.now,
  });
  const sent: AlertDispatch[] = [];
  sent.push(...engine.setTargets(targets.map((target) => ({ ...target, state: 'up' as const, since: null }))));
  const state: Record<string, TargetState> = Object.fromEntries(targets.map((t) => [t.id, 'up']));
  const go = (target: string, to: TargetState) => {
    sent.push(
      ...engine.transition({
        target,
        at: new Date(clock.ms).toISOString(),
        from: state[target]!,
        to,
        reason: `now ${to}`,
      }),
    );
    state[target] = to;
  };
  const tick = () => sent.push(...engine.tick());
  const kinds = () => sent.map((dispatch) => `${dispatch.message.kind} ${dispatch.message.targets.join(',')}`);
  return { clock, engine, sent, go, tick, kinds };
}

describe('AlertEngine', () => {
  test('down, a reminder while it stays down, then recovered; recovering (degraded) is no new alert', () => {
    const { clock, go, tick, kinds, sent } = setup({
      rules: [{ events: ['down', 'degraded', 'recovered'], channels: ['ops'], remindEvery: '30m' }],
    });
    go('api', 'down');
    clock.advance(29 * 60_000);
    tick();
    expect(kinds()).toEqual(['down api']);
    clock.advance(60_000);
    tick();
    tick();
    go('api', 'degraded');
    clock.advance(31 * 60_000);
    tick();
    go('api', 'up');
    expect(kinds()).toEqual(['down api', 'reminder api', 'recovered api']);
    expect(sent[0]).toMatchObject({
      channels: ['ops'],
      message: { severity: 'critical', title: '[fleet] api is DOWN on a', host: 'a', at: new Date(T0).toISOString() },
    });
    expect(sent[0]!.message.text).toContain('Reason: now down');
  });

  test('degraded from up is alerted only to rules that ask for it, and recovered after it', () => {
    const { go, kinds } = setup({
      rules: [
        { events: ['down', 'recovered'], channels: ['ops'] },
        { name: 'slow', events: ['degraded', 'recovered'], channels: ['ops'] },
      ],
    });
    go('api', 'degraded');
    go('api', 'up');
    expect(kinds()).toEqual(['degraded api', 'recovered api']);
  });

  test('a whole host down is one host_down (not one alert per target), then host_recovered', () => {
    const targets = [
      { id: 'bus', host: 'a' },
      { id: 'knowledge', host: 'a' },
      { id: 'wizard', host: 'a' },
      { id: 'other', host: 'b' },
    ];
    const { clock, go, tick, kinds, sent } = setup({}, targets);
    go('bus', 'down');
    clock.advance(10_000);
    go('knowledge', 'down');
    clock.advance(10_000);
    go('wizard', 'down');
    clock.advance(120_000);
    tick();
    expect(kinds()).toEqual(['host_down bus,knowledge,wizard']);
    expect(sent[0]!.message.title).toBe('[fleet] host a is DOWN (all 3 targets)');
    go('bus', 'up');
    // The host is back; what is still down is alerted on its own.
    expect(kinds()).toEqual([
      'host_down bus,knowledge,wizard',
      'host_recovered bus,knowledge,wizard',
      'down knowledge',
      'down wizard',
    ]);
  });

  test('a target alerted alone before the rest of its host went down is announced back once, by host_recovered', () => {
    const { clock, go, tick, kinds } = setup({}, [
      { id: 'bus', host: 'a' },
      { id: 'knowledge', host: 'a' },
    ]);
    go('bus', 'down');
    clock.advance(60_000);
    tick();
    go('knowledge', 'down');
    clock.advance(60_000);
    tick();
    expect(kinds()).toEqual(['down bus', 'host_down bus,knowledge']);
    go('bus', 'up');
    go('knowledge', 'up');
    tick();
    // No `recovered bus` after the host's recovery: that one said it.
    expect(kinds()).toEqual([
      'down bus',
      'host_down bus,knowledge',
      'host_recovered bus,knowledge',
      'down knowledge',
      'recovered knowledge',
    ]);
  });

  test("a target's down waits groupWait for the rest of its host, then is sent alone", () => {
    const { clock, go, tick, kinds } = setup({ groupWait: '1m' }, [
      { id: 'bus', host: 'a' },
      { id: 'knowledge', host: 'a' },
    ]);
    go('bus', 'down');
    clock.advance(59_000);
    tick();
    expect(kinds()).toEqual([]);
    clock.advance(1000);
    tick();
    expect(kinds()).toEqual(['down bus']);
  });

  test('a silence suppresses; what is still down when it ends is alerted then', () => {
    const { clock, go, tick, kinds } = setup({
      silences: [
        { groups: ['web'], from: new Date(T0 - 1000).toISOString(), until: new Date(T0 + 3_600_000).toISOString() },
      ],
    });
    go('api', 'down');
    clock.advance(30 * 60_000);
    tick();
    expect(kinds()).toEqual([]);
    clock.advance(30 * 60_000);
    tick();
    expect(kinds()).toEqual(['down api']);
  });

  test('silenced targets count neither for nor against their host: no host_down names them', () => {
    const hour = (targets: string[]) => ({
      targets,
      from: new Date(T0 - 1000).toISOString(),
      until: new Date(T0 + 3_600_000).toISOString(),
    });
    const targets = [
      { id: 'bus', host: 'a' },
      { id: 'knowledge', host: 'a' },
      { id: 'wizard', host: 'a' },
    ];
    const all = setup({ silences: [hour(['bus', 'knowledge', 'wizard'])] }, targets);
    for (const id of ['bus', 'knowledge', 'wizard']) all.go(id, 'down');
    all.clock.advance(120_000);
    all.tick();
    expect(all.kinds()).toEqual([]);

    const one = setup({ silences: [hour(['bus'])] }, targets);
    for (const id of ['bus', 'knowledge', 'wizard']) one.go(id, 'down');
    one.clock.advance(120_000);
    one.tick();
    expect(one.kinds()).toEqual(['host_down knowledge,wizard']);
    expect(one.sent[0]!.message.title).toBe('[fleet] host a is DOWN (all 2 targets; 1 more silenced)');
    // The silence ends with bus still down: it is alerted then, on its own.
    one.clock.advance(3_600_000);
    one.tick();
    expect(one.kinds()).toEqual(['host_down knowledge,wizard', 'down bus']);
  });

  test('a healthy target whose silence ends does not recover a host_down whose targets are still down', () => {
    const { clock, go, tick, kinds } = setup(
      {
        silences: [
          {
            targets: ['wizard'],
            from: new Date(T0 - 1000).toISOString(),
            until: new Date(T0 + 3_600_000).toISOString(),
          },
        ],
      },
      [
        { id: 'bus', host: 'a' },
        { id: 'knowledge', host: 'a' },
        { id: 'wizard', host: 'a' },
      ],
    );
    go('bus', 'down');
    go('knowledge', 'down');
    clock.advance(120_000);
    tick();
    expect(kinds()).toEqual(['host_down bus,knowledge']);
    // The silence ends; wizard is up, bus and knowledge still down: the host_down stands.
    clock.advance(3_600_000);
    tick();
    expect(kinds()).toEqual(['host_down bus,knowledge']);
    // One of the targets it named is back: its recovery names them, and what is still down is alerted alone.
    go('bus', 'up');
    expect(kinds()).toEqual(['host_down bus,knowledge', 'host_recovered bus,knowledge', 'down knowledge']);
  });

  test('silencing a healthy target adds no host_down for targets already paged on their own', () => {
    const { clock, go, tick, kinds } = setup(
      {
        groupWait: '1m',
        silences: [
          {
            targets: ['wizard'],
            from: new Date(T0 + 5 * 60_000).toISOString(),
            until: new Date(T0 + 3_600_000).toISOString(),
          },
        ],
      },
      [
        { id: 'bus', host: 'a' },
        { id: 'knowledge', host: 'a' },
        { id: 'wizard', host: 'a' },
      ],
    );
    go('bus', 'down');
    go('knowledge', 'down');
    clock.advance(60_000);
    tick();
    expect(kinds()).toEqual(['down bus', 'down knowledge']);
    clock.advance(5 * 60_000);
    tick();
    clock.advance(3_600_000);
    tick();
    go('bus', 'up');
    expect(kinds()).toEqual(['down bus', 'down knowledge', 'recovered bus']);
  });

  test('with all but one target of a host silenced, that one is alerted on its own, without waiting', () => {
    const { go, kinds } = setup(
      {
        silences: [
          { targets: ['bus'], from: new Date(T0 - 1000).toISOString(), until: new Date(T0 + 3_600_000).toISOString() },
        ],
      },
      [
        { id: 'bus', host: 'a' },
        { id: 'knowledge', host: 'a' },
      ],
    );
    go('bus', 'down');
    go('knowledge', 'down');
    expect(kinds()).toEqual(['down knowledge']);
  });

  test('a silence of another host changes nothing', () => {
    const { go, kinds } = setup({
      silences: [{ hosts: ['b'], from: new Date(T0 - 1000).toISOString(), until: new Date(T0 + 60_000).toISOString() }],
    });
    go('api', 'down');
    expect(kinds()).toEqual(['down api']);
  });

  test('deploys never page: deploying, then unknown and up after the window, sends nothing', () => {
    const { clock, go, tick, kinds } = setup({
      rules: [{ events: ['down', 'degraded', 'recovered'], channels: ['ops'], remindEvery: '1m' }],
    });
    go('api', 'deploying');
    clock.advance(10 * 60_000);
    tick();
    go('api', 'unknown');
    go('api', 'up');
    expect(kinds()).toEqual([]);
  });

  test('a target down before a deploy is not re-alerted after it, and its reminders pause during it', () => {
    const { clock, go, tick, kinds } = setup({
      rules: [{ events: ['down', 'recovered'], channels: ['ops'], remindEvery: '10m' }],
    });
    go('api', 'down');
    go('api', 'deploying');
    clock.advance(20 * 60_000);
    tick();
    go('api', 'unknown');
    go('api', 'down');
    expect(kinds()).toEqual(['down api', 'reminder api']);
    go('api', 'up');
    expect(kinds()).toEqual(['down api', 'reminder api', 'recovered api']);
  });

  test('rules select targets by name, host and group; two rules to one channel send one message', () => {
    const { go, sent, kinds } = setup(
      {
        channels: { ...channels, pager: { type: 'webhook', url: 'http://127.0.0.1:9/pager' } },
        rules: [
          { targets: ['api'], events: ['down'], channels: ['ops'] },
          { groups: ['web'], events: ['down'], channels: ['ops', 'pager'] },
          { hosts: ['b'], events: ['down'], channels: ['nobody'] },
        ],
      },
      [
        { id: 'api', host: 'a' },
        { id: 'gpu', host: 'b' },
      ],
    );
    go('api', 'down');
    expect(kinds()).toEqual(['down api']);
    expect(sent[0]!.channels).toEqual(['ops', 'pager']);
  });

  test('dead letters above the threshold for an agent, then back under it', () => {
    const { engine, sent } = setup({
      rules: [{ events: ['dead_letters', 'recovered'], channels: ['ops'], deadLetters: 5 }],
    });
    engine.setTargets([{ id: 'bus', host: 'a', state: 'up' }]);
    const backlog = (dead: number) => ({
      target: 'bus',
      at: new Date(T0).toISOString(),
      error: null,
      recipients: [{ agent: 'ezra', ready: 0, inFlight: 0, delayed: 0, dead, oldestReadyAgeSeconds: null }],
      totals: { ready: 0, inFlight: 0, delayed: 0, dead },
    });
    sent.push(...engine.observeBus([backlog(5)]));
    sent.push(...engine.observeBus([backlog(6)]));
    sent.push(...engine.observeBus([backlog(9)]));
    sent.push(...engine.observeBus([backlog(0)]));
    expect(sent.map((d) => `${d.message.kind}: ${d.message.title}`)).toEqual([
      'dead_letters: [fleet] 6 dead letters for ezra on bus',
      'recovered: [fleet] bus: dead letters for ezra back under the threshold',
    ]);
  });

  test('an agent whose dead letters were purged vanishes from the queue: its alert recovers, and new ones alert again', () => {
    const { engine, sent } = setup({ rules: [{ events: ['dead_letters', 'recovered'], channels: ['ops'] }] });
    engine.setTargets([{ id: 'bus', host: 'a', state: 'up' }]);
    const backlog = (dead: number | undefined, error: string | null = null) => ({
      target: 'bus',
      at: new Date(T0).toISOString(),
      error,
      // A bus lists only the agents that have messages.
      recipients:
        dead === undefined
          ? []
          : [{ agent: 'worker', ready: 0, inFlight: 0, delayed: 0, dead, oldestReadyAgeSeconds: null }],
      totals: { ready: 0, inFlight: 0, delayed: 0, dead: dead ?? 0 },
    });
    sent.push(...engine.observeBus([backlog(1)]));
    sent.push(...engine.observeBus([backlog(undefined, 'connection refused')])); // a failed read says nothing
    sent.push(...engine.observeBus([backlog(undefined)])); // purged: the agent is gone from the queue
    sent.push(...engine.observeBus([backlog(undefined)]));
    sent.push(...engine.observeBus([backlog(3)]));
    expect(sent.map((d) => `${d.message.kind}: ${d.message.title}`)).toEqual([
      'dead_letters: [fleet] 1 dead letters for worker on bus',
      'recovered: [fleet] bus: dead letters for worker back under the threshold',
      'dead_letters: [fleet] 3 dead letters for worker on bus',
    ]);
  });

  test('sync lag above the threshold is alerted once', () => {
    const { engine, sent } = setup({ rules: [{ events: ['sync_lag'], channels: ['ops'], syncLag: '2m' }] });
    engine.setTargets([{ id: 'knowledge', host: 'a', state: 'up' }]);
    const sync = (lagSeconds: number) => ({
      target: 'knowledge',
      at: new Date(T0).toISOString(),
      error: null,
      nodeId: 'n1',
      peers: [{ peer: 'n2', lagFacts: 3, lagSeconds, lastSuccessAt: null, lastError: null }],
    });
    sent.push(...engine.observeKnowledge([sync(120)]), ...engine.observeKnowledge([sync(121)]));
    sent.push(...engine.observeKnowledge([sync(500)]));
    expect(sent.map((d) => d.message.title)).toEqual(['[fleet] knowledge is 121s behind towards n2']);
  });

  test('a deploy that failed before reaching a host is silenced only by a silence of everything', () => {
    const during = { from: new Date(T0 - 1000).toISOString(), until: new Date(T0 + 3_600_000).toISOString() };
    const rules: AlertsSpecInput['rules'] = [{ events: ['deploy_failed'], channels: ['ops'] }];
    const failure = { reason: 'the deploy lock is held' };
    expect(setup({ rules, silences: [{ hosts: ['a'], ...during }] }).engine.deployFailed(failure)).toHaveLength(1);
    expect(setup({ rules, silences: [{ ...during }] }).engine.deployFailed(failure)).toEqual([]);
  });

  test('a failed deploy alerts the rules that ask for it, for their hosts', () => {
    const { engine } = setup({
      rules: [
        { events: ['deploy_failed'], hosts: ['a'], channels: ['ops'] },
        { events: ['deploy_failed'], hosts: ['b'], channels: ['nobody'] },
      ],
    });
    const [dispatch, ...rest] = engine.deployFailed({ host: 'a', reason: 'health gate failed' });
    expect(rest).toEqual([]);
    expect(dispatch).toMatchObject({
      channels: ['ops'],
      message: { kind: 'deploy_failed', title: '[fleet] deploy FAILED on a' },
    });
  });
});

describe('AlertEngine memory across a restart', () => {
  test('a restarted engine neither repeats a down nor misses the recovered; an edited rule starts afresh', () => {
    const dbPath = freshDbPath();
    const spec = alertsSpec({ channels, rules: [{ events: ['down', 'recovered'], channels: ['ops'] }] });
    const down = [{ id: 'api', host: 'a', state: 'down' as const, since: new Date(T0).toISOString() }];
    const kinds = (dispatches: AlertDispatch[]) => dispatches.map((d) => d.message.kind);

    const first = new AlertOutbox({ dbPath, channels: {} });
    const before = new AlertEngine({ spec, now: () => T0, memory: first.engineMemory() });
    expect(kinds(before.setTargets(down))).toEqual(['down']);
    first.close();

    const second = new AlertOutbox({ dbPath, channels: {} });
    onCleanup(() => second.close());
    const after = new AlertEngine({ spec, now: () => T0 + 60_000, memory: second.engineMemory() });
    expect(kinds(after.setTargets(down))).toEqual([]);
    const up = {
      target: 'api',
      at: new Date(T0 + 60_000).toISOString(),
      from: 'unknown',
      to: 'up',
      reason: null,
    } as const;
    expect(kinds(after.transition(up))).toEqual(['recovered']);

    // A changed rule does not inherit what the old one sent.
    const edited = alertsSpec({ channels, rules: [{ events: ['down'], channels: ['ops'] }] });
    const third = new AlertEngine({ spec: edited, now: () => T0, memory: second.engineMemory() });
    expect(kinds(third.setTargets(down))).toEqual(['down']);
  });
  test('dead letters alerted before a restart recover when the agent is gone from the queue after it', () => {
    const spec = alertsSpec({ channels, rules: [{ events: ['dead_letters', 'recovered'], channels: ['ops'] }] });
    const stored = new Map<string, AlertNotified>();
    const memory: AlertEngineMemory = {
      load: () => [...stored],
      save: (key, value) => (value ? stored.set(key, value) : stored.delete(key)),
    };
    const backlog = (recipients: Array<{ agent: string; dead: number }>) => ({
      target: 'bus',
      at: new Date(T0).toISOString(),
      error: null,
      recipients: recipients.map((r) => ({ ...r, ready: 0, inFlight: 0, delayed: 0, oldestReadyAgeSeconds: null })),
      totals: { ready: 0, inFlight: 0, delayed: 0, dead: 0 },
    });
    const kinds = (dispatches: AlertDispatch[]) => dispatches.map((d) => d.message.kind);
    const bus = [{ id: 'bus', host: 'a', state: 'up' as const, since: null }];
    const before = new AlertEngine({ spec, now: () => T0, memory });
    before.setTargets(bus);
    expect(kinds(before.observeBus([backlog([{ agent: 'worker', dead: 2 }])]))).toEqual(['dead_letters']);

    const after = new AlertEngine({ spec, now: () => T0 + 60_000, memory });
    expect(kinds(after.setTargets(bus))).toEqual([]);
    expect(kinds(after.observeBus([backlog([])]))).toEqual(['recovered']);
    expect(kinds(after.observeBus([backlog([{ agent: 'worker', dead: 1 }])]))).toEqual(['dead_letters']);
  });

  test('a host_down remembered without its targets (an older version) pages none of them after an upgrade', () => {
    const spec = alertsSpec({ channels, rules: [{ events: ['down', 'recovered'], channels: ['ops'] }] });
    const down = ['bus', 'knowledge', 'wizard'].map((id) => ({
      id,
      host: 'a',
      state: 'down' as const,
      since: new Date(T0).toISOString(),
    }));
    const kinds = (dispatches: AlertDispatch[]) => dispatches.map((d) => `${d.message.kind} ${d.message.targets}`);
    const stored = new Map<string, AlertNotified>();
    const memory: AlertEngineMemory = {
      load: () => [...stored],
      save: (key, value) => (value ? stored.set(key, value) : stored.delete(key)),
    };
    const before = new AlertEngine({ spec, now: () => T0, memory });
    expect(kinds(before.setTargets(down))).toEqual(['host_down bus,knowledge,wizard']);
    // What the older version stored: the host's entry alone.
    for (const key of stored.keys()) if (!key.endsWith(' host a')) stored.delete(key);
    expect(stored.size).toBe(1);

    const after = new AlertEngine({ spec, now: () => T0 + 10 * 60_000, memory });
    expect(kinds(after.setTargets(down))).toEqual([]);
    expect(kinds(after.tick())).toEqual([]);
    const up = { target: 'wizard', at: new Date(T0 + 10 * 60_000).toISOString(), from: 'down', to: 'up' } as const;
    expect(kinds(after.transition({ ...up, reason: null }))).toEqual([
      'host_recovered bus,knowledge,wizard',
      'down bus',
      'down knowledge',
    ]);
  });
});
