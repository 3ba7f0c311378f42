import { describe, expect, test } from 'vitest';
import { AlertEngine, type AlertTarget } from '../../src/alerts/alert-engine.ts';
import type { AlertsSpecInput } from '../../src/alerts/alerts-spec.ts';
import { alertsSpec, testClock } from './_alerting.ts';

const channels = {
  bus: { type: 'webhook', url: 'http://127.0.0.1:9/bus' },
  gpu: { type: 'webhook', url: 'http://127.0.0.1:9/gpu' },
  all: { type: 'webhook', url: 'http://127.0.0.1:9/all' },
} as const;

const target = (id: string, host: string): AlertTarget => ({ id, host, state: 'up', since: null });

function engineWith(
  rules: AlertsSpecInput['rules'],
  targets: AlertTarget[],
  silences: AlertsSpecInput['silences'] = [],
) {
  const engine = new AlertEngine({
    spec: alertsSpec({ channels, rules, silences }),
    hostGroups: { ezra: ['core'], zed: ['gpu'] },
    now: testClock().now,
  });
  engine.setTargets(targets);
  /** The channels told of a deploy failure on `host` (none: before any host). */
  const told = (host?: string) =>
    engine
      .deployFailed({ ...(host === undefined ? {} : { host }), reason: 'health gate failed' })
      .flatMap((dispatch) => dispatch.channels)
      .sort();
  return { engine, told };
}

describe('deploy_failed reaches the rules whose targets run on the failed host', () => {
  test('a rule naming a target hears of a failure on its host, not on another', () => {
    const { told } = engineWith(
      [{ targets: ['bus'], events: ['down', 'recovered', 'deploy_failed'], channels: ['bus'] }],
      [target('bus', 'ezra'), target('infer', 'zed')],
    );
    expect(told('ezra')).toEqual(['bus']);
    expect(told('zed')).toEqual([]);
  });

  test('the rule follows its target to the host it runs on now', () => {
    const { engine, told } = engineWith(
      [{ targets: ['bus'], events: ['deploy_failed'], channels: ['bus'] }],
      [target('bus', 'ezra')],
    );
    engine.setTargets([target('bus', 'zed')]);
    expect(told('zed')).toEqual(['bus']);
    expect(told('ezra')).toEqual([]);
  });

  test('targets, hosts and groups of one rule add up', () => {
    const { told } = engineWith(
      [{ targets: ['bus'], groups: ['gpu'], events: ['deploy_failed'], channels: ['gpu'] }],
      [target('bus', 'ezra'), target('infer', 'zed')],
    );
    expect(told('ezra')).toEqual(['gpu']);
    expect(told('zed')).toEqual(['gpu']);
    expect(told('other')).toEqual([]);
  });

  test('a failure before any host reaches every rule that lists deploy_failed, whatever it covers', () => {
    const { told } = engineWith(
      [
        { targets: ['bus'], events: ['deploy_failed'], channels: ['bus'] },
        { groups: ['gpu'], events: ['deploy_failed'], channels: ['gpu'] },
        { events: ['deploy_failed'], channels: ['all'] },
        { events: ['down'], channels: ['all'] },
      ],
      [target('bus', 'ezra')],
    );
    expect(told()).toEqual(['all', 'bus', 'gpu']);
  });
});

describe('a silence of targets silences a deploy failure on their host', () => {
  const clock = testClock();
  const during = {
    from: new Date(clock.now() - 1000).toISOString(),
    until: new Date(clock.now() + 3_600_000).toISOString(),
  };
  const rules: AlertsSpecInput['rules'] = [{ events: ['deploy_failed'], channels: ['all'] }];

  test('when it covers every target running on the host', () => {
    const targets = [target('bus', 'ezra'), target('knowledge', 'ezra'), target('infer', 'zed')];
    expect(engineWith(rules, targets, [{ targets: ['bus', 'knowledge'], ...during }]).told('ezra')).toEqual([]);
    expect(
      engineWith(rules, targets, [
        { targets: ['bus'], ...during },
        { targets: ['knowledge'], ...during },
      ]).told('ezra'),
    ).toEqual([]);
    expect(engineWith(rules, targets, [{ targets: ['bus', 'knowledge'], ...during }]).told('zed')).toEqual(['all']);
  });

  test('not when a target on the host is left unsilenced, nor on a host without known targets', () => {
    const targets = [target('bus', 'ezra'), target('knowledge', 'ezra')];
    expect(engineWith(rules, targets, [{ targets: ['bus'], ...during }]).told('ezra')).toEqual(['all']);
    expect(engineWith(rules, targets, [{ targets: ['bus', 'knowledge'], ...during }]).told('new-host')).toEqual([
      'all',
    ]);
  });

  test('not when the silence has ended', () => {
    const ended = {
      from: new Date(clock.now() - 7_200_000).toISOString(),
      until: new Date(clock.now() - 1).toISOString(),
    };
    const targets = [target('bus', 'ezra')];
    expect(engineWith(rules, targets, [{ targets: ['bus'], ...ended }]).told('ezra')).toEqual(['all']);
  });
});
