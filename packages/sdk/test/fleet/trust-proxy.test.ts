import { describe, expect, test } from 'vitest';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { problemLines, yaml } from './_fleet.ts';

const head = ['version: 1', 'hosts:', '  h: { address: 10.0.0.1 }', 'services:'];

describe('services.<name>.trustProxy', () => {
  test('a dashboard takes IP addresses and CIDR ranges, IPv4 and IPv6', () => {
    const text = yaml(
      ...head,
      '  dash:',
      '    kind: dashboard',
      '    host: h',
      '    port: 8652',
      '    trustProxy: [127.0.0.1, 10.0.0.0/8, "::1", "fd00::/8", "::ffff:10.0.0.2"]',
    );
    const { value, errors } = parseFleet(text, { env: {} });
    expect(errors).toEqual([]);
    expect(value?.services.dash?.trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', '::ffff:10.0.0.2']);
  });

  test('a bad address, a prefix too long, an empty list and a non-dashboard service are problems at their line and column', () => {
    const text = yaml(
      ...head, //                                                                        1-4
      '  dash: { kind: dashboard, host: h, port: 8652, trustProxy: [proxy.lan, 10.0.0.0/33] }', // 5
      '  d2: { kind: dashboard, host: h, port: 8653, trustProxy: [] }', //                         6
      '  bus: { kind: bus, host: h, port: 8650, trustProxy: [127.0.0.1] }', //                     7
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:5:62 error: services.dash.trustProxy.0: must be an IP address or a CIDR range such as 10.0.0.0/8',
      'fleet.yaml:5:73 error: services.dash.trustProxy.1: must be an IP address or a CIDR range such as 10.0.0.0/8',
      'fleet.yaml:6:59 error: services.d2.trustProxy: must list at least 1',
      'fleet.yaml:7:54 error: services.bus.trustProxy: only a dashboard service takes trustProxy (its session cookie behind a TLS-terminating proxy)',
    ]);
  });
});
