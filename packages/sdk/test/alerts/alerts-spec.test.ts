// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { describe, expect, test } from 'vitest';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { problemLines, yaml } from '../fleet/_fleet.ts';

const head = [
  'version: 1', //                                 1
  'hosts:', //                                     2
  '  ezra: { address: 10.0.0.5, groups: [gpu] }', //3
  'services:', //                                  4
  '  bus: { kind: bus, host: ezra, port: 8650 }', //5
];

describe('the alerts block of a fleet file', () => {
  test('a valid block loads with its defaults, durations in ms and the channel secret from the environment', () => {
    const text = yaml(
      ...head,
      'alerts:', //                                                 6
      '  channels:',
      '    ops: { type: slack, url: "${SLACK_WEBHOOK}" }',
      '  rules:',
      '    - { groups: [gpu], events: [down, recovered], channels: [ops], remindEvery: 30m }',
      '  silences:',
      '    - { hosts: [ezra], from: "2026-12-05T22:00:00Z", until: "2026-12-05T23:00:00Z", reason: kernel update }',
      '  heartbeat: { url: "https://hc-ping.com/abc" }',
    );
    const { value, errors } = parseFleet(text, { env: { SLACK_WEBHOOK: 'https://hooks.slack.com/services/T/B/X' } });
    expect(errors).toEqual([]);
    expect(value?.alerts).toMatchObject({
      channels: { ops: { type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' } },
      rules: [{ groups: ['gpu'], events: ['down', 'recovered'], channels: ['ops'], remindEvery: 1_800_000 }],
      groupWait: 60_000,
      heartbeat: { url: 'https://hc-ping.com/abc', every: 60_000 },
    });
  });

  test('unknown channels, targets, hosts and groups are reported at their line and column', () => {
    const text = yaml(
      ...head,
      'alerts:', //                                                                        6
      '  channels:', //                                                                    7
      '    ops: { type: webhook, url: "http://127.0.0.1:9/a" }', //                         8
      '  rules:', //                                                                       9
      '    - { targets: [bus, buss], events: [down], channels: [ops, pager] }', //          10
      '    - { hosts: [ezr], groups: [cpu], events: [sync_lag], channels: [ops] }', //      11
      '  silences:', //                                                                    12
      '    - { targets: [bux], from: "2026-12-05T23:00:00Z", until: "2026-12-05T22:00:00Z" }', // 13
      '    - { hosts: [ezra], events: [down], from: "2026-12-05T22:00:00Z", until: "2026-12-05T23:00:00Z" }', // 14
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:10:24 error: alerts.rules.0.targets.1: unknown target "buss" (services and wizards: bus)',
      'fleet.yaml:10:63 error: alerts.rules.0.channels.1: unknown channel "pager" (alerts.channels: ops)',
      'fleet.yaml:11:17 error: alerts.rules.1.hosts.0: unknown host "ezr" (hosts: ezra)',
      'fleet.yaml:11:32 error: alerts.rules.1.groups.0: unknown host group "cpu" (host groups: gpu)',
      'fleet.yaml:13:19 error: alerts.silences.0.targets.0: unknown target "bux" (services and wizards: bus)',
      'fleet.yaml:13:62 error: alerts.silences.0.until: the silence ends before it starts',
      'fleet.yaml:14:24 error: alerts.silences.1.events: unknown key "events" (known keys: targets, groups, hosts, from, until, reason)',
    ]);
  });

  test('scheduled reports load with their defaults: a name by position, UTC, the last 24h', () => {
    const text = yaml(
      ...head,
      'alerts:',
      '  channels:',
      '    ops: { type: webhook, url: "http://127.0.0.1:9/a" }',
      '  reports:',
      "    - { name: morning, schedule: '0 7 * * *', timezone: Europe/Berlin, since: 7d, channels: [ops] }",
      "    - { schedule: '@weekly', channels: [ops] }",
    );
    const { value, errors } = parseFleet(text);
    expect(errors).toEqual([]);
    expect(value?.alerts?.reports).toEqual([
      { name: 'morning', schedule: '0 7 * * *', timezone: 'Europe/Berlin', since: 7 * 86_400_000, channels: ['ops'] },
      { name: 'report-1', schedule: '@weekly', timezone: 'UTC', since: 86_400_000, channels: ['ops'] },
    ]);
  });

  test('a bad cron expression, an unknown time zone, an unknown channel and a repeated name are reported at their line and column', () => {
    const text = yaml(
      ...head,
      'alerts:', //                                                                         6
      '  channels:', //                                                                     7
      '    ops: { type: webhook, url: "http://127.0.0.1:9/a" }', //                          8
      '  reports:', //                                                                      9
      "    - { schedule: '0 7 * *', channels: [ops] }", //                                  10
      "    - { schedule: '0 7 * * *', timezone: Europe/Berln, channels: [ops, pager] }", // 11
      "    - { name: daily, schedule: '61 7 * * *', channels: [ops] }", //                  12
      "    - { name: daily, schedule: '0 7 31 2 *', channels: [ops] }", //                  13
      "    - { name: report-1, schedule: '@daily', channels: [ops] }", //                   14
    );
    const example = '("0 7 * * *" is 07:00 every day)';
    expect(problemLines(text)).toEqual([
      `fleet.yaml:10:19 error: alerts.reports.0.schedule: a cron expression has five fields (minute hour day month weekday), this one has 4 ${example}`,
      'fleet.yaml:11:42 error: alerts.reports.1.timezone: unknown time zone (an IANA time zone such as Europe/Berlin or UTC)',
      'fleet.yaml:11:72 error: alerts.reports.1.channels.1: unknown channel "pager" (alerts.channels: ops)',
      `fleet.yaml:12:32 error: alerts.reports.2.schedule: invalid value for minute: 61 ${example}`,
      'fleet.yaml:13:15 error: alerts.reports.3.name: another report is named "daily"',
      `fleet.yaml:13:32 error: alerts.reports.3.schedule: the cron expression never fires ${example}`,
      // The second report's default name is report-1.
      'fleet.yaml:14:15 error: alerts.reports.4.name: another report is named "report-1"',
    ]);
  });

  test('a zero remindEvery, heartbeat every or report since is reported at its line and column', () => {
    const text = yaml(
      ...head,
      'alerts:', //                                                                      6
      '  channels:', //                                                                  7
      '    ops: { type: webhook, url: "http://127.0.0.1:9/a" }', //                       8
      '  rules:', //                                                                     9
      '    - { events: [down], channels: [ops], remindEvery: 0s }', //                    10
      '    - { events: [down], channels: [ops], remindEvery: 999ms }', //                 11
      '  heartbeat: { url: "https://hc-ping.com/abc", every: 0s }', //                    12
      '  reports:', //                                                                   13
      "    - { schedule: '0 7 * * *', since: 0s, channels: [ops] }", //                   14
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:10:55 error: alerts.rules.0.remindEvery: must be at least 1s',
      'fleet.yaml:11:55 error: alerts.rules.1.remindEvery: must be at least 1s',
      'fleet.yaml:12:55 error: alerts.heartbeat.every: must be at least 1s',
      'fleet.yaml:14:39 error: alerts.reports.0.since: must be at least 1s',
    ]);
  });
});
