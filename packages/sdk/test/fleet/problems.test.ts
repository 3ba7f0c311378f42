// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { describe, expect, test } from 'vitest';
import { formatProblem } from '../../src/fleet/format-problem.ts';
import { fleetFileProblem } from '../../src/fleet/locate-problem.ts';
import { parseFleet } from '../../src/fleet/parse-fleet.ts';
import { problemLines, yaml } from './_fleet.ts';

describe('parseFleet problems', () => {
  test('a file with many mistakes reports each one once, at its line and column', () => {
    const text = yaml(
      'version: 1', //                                  1
      'hosts:', //                                      2
      '  ezra:', //                                     3
      '    address: 10.0.0.5', //                       4
      '    ssh: { user: fleet, prot: 22 }', //          5: prot at col 25
      '  spare:', //                                    6
      '    address: 999.1.1.1', //                      7: value at col 14
      'services:', //                                   8
      '  bus:', //                                      9
      '    kind: bsu', //                              10: value at col 11
      '    host: ezr', //                              11
      '    port: 8650', //                             12
      '    health:', //                                13
      '      intervl: 30s', //                         14: key at col 7
      '  knowledge:', //                               15
      '    kind: knowledge', //                        16
      '    host: ezra', //                             17
      '    prot: 8651', //                             18: key at col 5; no "port is required" too
      '  kn2:', //                                     19
      '    kind: knowledge', //                        20
      '    host: ezra', //                             21
      '    port: 8651', //                             22
      '    health: { interval: 10s, timeout: 6s }', // 23: 6s at col 39
      '  kn3:', //                                     24
      '    kind: knowledge', //                        25
      '    host: ezra', //                             26
      '    port: 8651', //                             27: value at col 11
      'wizards:', //                                   28
      '  kn2:', //                                     29: key at col 3
      '    host: ezra', //                             30
      '    port: 70000', //                            31
      '    env: { API_KEY: abc, lower-x: 1 }', //      32: abc at col 21, lower-x at col 26
    );
    const result = parseFleet(text, { env: {} });
    expect(result.value).toBeUndefined();
    expect([...result.errors, ...result.warnings].map(formatProblem)).toEqual([
      'fleet.yaml:5:25 error: hosts.ezra.ssh.prot: unknown key "prot" (did you mean "port"?)',
      'fleet.yaml:7:14 error: hosts.spare.address: must be an IPv4 address, an IPv6 address without brackets, or a DNS name',
      'fleet.yaml:10:11 error: services.bus.kind: "bsu" is not one of: bus, knowledge, dashboard, deploy-hook, ollama, gitea, conduit, custom (did you mean "bus"?)',
      'fleet.yaml:11:11 error: services.bus.host: unknown host "ezr" (hosts: ezra, spare)',
      'fleet.yaml:14:7 error: services.bus.health.intervl: unknown key "intervl" (did you mean "interval"?)',
      'fleet.yaml:18:5 error: services.knowledge.prot: unknown key "prot" (did you mean "port"?)',
      'fleet.yaml:23:39 error: services.kn2.health.timeout: the timeout (6s) must be at most half the interval (5s for 10s)',
      'fleet.yaml:27:11 error: services.kn3.port: port 8651 on host ezra is already used by services.kn2',
      'fleet.yaml:29:3 error: wizards.kn2: the name "kn2" is already used by services.kn2; service and wizard names must be unique',
      'fleet.yaml:31:11 error: wizards.kn2.port: must be a port number from 1 to 65535',
      'fleet.yaml:32:26 error: wizards.kn2.env.lower-x: invalid name "lower-x": must be an environment variable name: letters, digits and _',
      'fleet.yaml:6:3 warning: hosts.spare: host "spare" runs no service or wizard',
      'fleet.yaml:32:21 warning: wizards.kn2.env.API_KEY: API_KEY looks like a secret written in the file; reference an environment variable instead, e.g. ${API_KEY}',
    ]);
  });

  test('a YAML syntax error is reported at its position and stops there', () => {
    expect(problemLines(yaml('version: 1', 'hosts:', '  ezra: { address: 10.0.0.5', 'services: {}'))).toEqual([
      expect.stringMatching(/^fleet\.yaml:4:1 error: Flow map in block collection must be sufficiently indented/),
    ]);
  });

  test('a repeated key is one error at the repeat, and the rest of the file is still checked', () => {
    const text = yaml(
      'version: 1',
      'hosts:',
      '  ezra: { address: 10.0.0.5 }',
      '  ezra: { address: 10.0.0.6 }',
      'services:',
      '  bus: { kind: bus, host: ezra, port: 8650, port: 8651 }',
      '  web: { kind: custom, host: nowhere, port: 80 }',
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:4:3 error: hosts.ezra: duplicate key "ezra": a key may appear only once in a mapping',
      'fleet.yaml:6:45 error: services.bus.port: duplicate key "port": a key may appear only once in a mapping',
      'fleet.yaml:7:30 error: services.web.host: unknown host "nowhere" (hosts: ezra)',
    ]);
  });

  test('a missing key is reported at the key of the mapping that lacks it', () => {
    const text = yaml('hosts:', '  ezra:', '    ssh: { user: fleet }', 'services:', '  bus:', '    kind: bus');
    expect(problemLines(text)).toEqual([
      'fleet.yaml:1:1 error: version: "version" is required',
      'fleet.yaml:2:3 error: hosts.ezra.address: "address" is required',
      'fleet.yaml:5:3 error: services.bus.host: "host" is required',
      'fleet.yaml:5:3 error: services.bus.port: "port" is required',
    ]);
  });

  test('an unknown key far from every known key lists the known keys', () => {
    expect(problemLines(yaml('version: 1', 'monitors: {}'))).toEqual([
      'fleet.yaml:2:1 error: monitors: unknown key "monitors" (known keys: version, name, hosts, services, wizards, deploy, alerts)',
    ]);
  });

  test('a health condition the monitor cannot parse is reported at the condition', () => {
    const text = yaml(
      'version: 1',
      'hosts: { ezra: { address: 10.0.0.5 } }',
      'services:',
      '  bus:',
      '    kind: bus',
      '    host: ezra',
      '    port: 8650',
      '    health:',
      '      conditions:',
      '        - "[STATUS] == 200"',
      '        - "[STATUS] =~ 200"',
    );
    const lines = problemLines(text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fleet\.yaml:11:11 error: services\.bus\.health\.conditions\.1: invalid condition/);
  });

  test('a url key is refused: health URLs are derived, never written', () => {
    const text = yaml(
      'version: 1',
      'hosts: { ezra: { address: ezra.example.com } }',
      'services:',
      '  bus:',
      '    kind: bus',
      '    host: ezra',
      '    port: 8650',
      '    url: http://ezra.example.com:8650',
      '    health: { url: http://ezra.example.com:8650/health }',
    );
    expect(problemLines(text)).toEqual([
      `fleet.yaml:8:5 error: services.bus.url: "url" is not allowed: URLs are derived from the host's address and the port`,
      `fleet.yaml:9:15 error: services.bus.health.url: "url" is not allowed: URLs are derived from the host's address, the port and "path"`,
    ]);
  });

  test('durations need a unit and sensible bounds; the health path must be a path', () => {
    const text = yaml(
      'version: 1',
      'hosts: { h: { address: 10.0.0.5 } }',
      'services:',
      '  a: { kind: custom, host: h, port: 1, health: { interval: 30 } }',
      '  b: { kind: custom, host: h, port: 2, health: { interval: 30x } }',
      '  c: { kind: custom, host: h, port: 3, health: { interval: 30ms } }',
      '  d: { kind: custom, host: h, port: 4, health: { timeout: 20s } }',
      '  e: { kind: custom, host: h, port: 5, health: { path: health } }',
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:4:60 error: services.a.health.interval: must be a duration such as 500ms, 30s, 2m or 1h',
      'fleet.yaml:5:60 error: services.b.health.interval: must be a duration such as 500ms, 30s, 2m or 1h',
      'fleet.yaml:6:60 error: services.c.health.interval: must be between 1s and 24h',
      'fleet.yaml:7:59 error: services.d.health.timeout: the timeout (20s) must be at most half the interval (15s for 30s)',
      'fleet.yaml:8:56 error: services.e.health.path: must be a URL path starting with "/", e.g. /health',
    ]);
  });

  test('addresses must be IP addresses or DNS names; bracketed IPv6 and bad IPv4 are refused', () => {
    const text = yaml(
      'version: 1',
      'hosts:',
      '  a: { address: "[::1]" }',
      '  b: { address: 10.0.0.256 }',
      '  c: { address: my_host }',
      '  d: { address: "fe80::1" }',
      '  e: { address: gpu-1.fleet.example }',
    );
    const errors = parseFleet(text, { env: {} }).errors.map(formatProblem);
    expect(errors).toEqual([
      'fleet.yaml:3:17 error: hosts.a.address: must be an IPv4 address, an IPv6 address without brackets, or a DNS name',
      'fleet.yaml:4:17 error: hosts.b.address: must be an IPv4 address, an IPv6 address without brackets, or a DNS name',
      'fleet.yaml:5:17 error: hosts.c.address: must be an IPv4 address, an IPv6 address without brackets, or a DNS name',
    ]);
  });

  test('two hosts with one address cannot both serve the same port', () => {
    const text = yaml(
      'version: 1',
      'hosts:',
      '  local: { address: 127.0.0.1 }',
      '  loopback: { address: 127.0.0.1 }',
      'services:',
      '  bus: { kind: bus, host: local, port: 8650 }',
      'wizards:',
      '  echo: { host: loopback, port: 8650 }',
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:8:33 error: wizards.echo.port: port 8650 on host loopback (the same address as host local) is already used by services.bus',
    ]);
  });

  test('two hosts the deployer reaches on one SSH address and port are refused; another port is another machine', () => {
    const text = yaml(
      'version: 1',
      'hosts:',
      '  vps1: { address: 10.0.0.5, ssh: { user: fleet } }',
      '  gpu1: { address: 10.0.0.5, ssh: { port: 22 } }',
      '  vm2: { address: 10.0.0.5, ssh: { port: 2222 } }',
      '  watcher: { address: 10.0.0.5 }',
      'services:',
      '  bus: { kind: bus, host: vps1, port: 8650 }',
      '  kb: { kind: knowledge, host: gpu1, port: 8651 }',
      '  web: { kind: dashboard, host: vm2, port: 8652 }',
      '  hook: { kind: deploy-hook, host: watcher, port: 8653 }',
    );
    expect(problemLines(text)).toEqual([
      "fleet.yaml:4:35 error: hosts.gpu1.ssh: host gpu1 reaches the same machine over SSH as host vps1 (10.0.0.5, port 22): the deployer would deploy both into one directory, each release replacing the other's; describe the machine as one host",
    ]);
  });

  test('addresses are compared as addresses: IPv6 however written, a name with or without its final dot', () => {
    const text = yaml(
      'version: 1',
      'hosts:',
      '  a: { address: "::1" }',
      '  b: { address: "0:0:0:0:0:0:0:1" }',
      '  c: { address: ezra.lan }',
      '  d: { address: EZRA.lan. }',
      'services:',
      '  bus: { kind: bus, host: a, port: 8650 }',
      '  kb: { kind: knowledge, host: b, port: 8650 }',
      '  web: { kind: dashboard, host: c, port: 8650 }',
      '  hook: { kind: deploy-hook, host: d, port: 8650 }',
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:9:41 error: services.kb.port: port 8650 on host b (the same address as host a) is already used by services.bus',
      'fleet.yaml:11:45 error: services.hook.port: port 8650 on host d (the same address as host c) is already used by services.web',
    ]);
  });

  test('a token that is empty, too long or not a string says which', () => {
    const line = (token: string) =>
      problemLines(
        yaml(
          'version: 1',
          'hosts: { ezra: { address: 10.0.0.5 } }',
          'services:',
          `  api: { kind: custom, host: ezra, port: 9000, token: ${token} }`,
        ),
      ).filter((problem) => problem.includes(' error: '));
    expect(line('""')).toEqual(['fleet.yaml:4:55 error: services.api.token: must not be empty']);
    expect(line(`"${'a'.repeat(600)}"`)).toEqual([
      'fleet.yaml:4:55 error: services.api.token: must be at most 512 characters',
    ]);
    expect(line('[a]')).toEqual(['fleet.yaml:4:55 error: services.api.token: must be a string']);
  });

  test('a timeout above half the interval is reported even when the entry has other mistakes', () => {
    const text = yaml(
      'version: 1',
      'hosts: { ezra: { address: 10.0.0.5 } }',
      'services:',
      '  api:',
      '    kind: custom',
      '    host: ezra',
      '    port: 9000',
      '    descripton: my api',
      '    health: { interval: 2s, timeout: 1500ms }',
    );
    expect(problemLines(text)).toEqual([
      'fleet.yaml:8:5 error: services.api.descripton: unknown key "descripton" (did you mean "description"?)',
      'fleet.yaml:9:38 error: services.api.health.timeout: the timeout (1500ms) must be at most half the interval (1s for 2s)',
    ]);
  });

  test('a service and a wizard that would be one systemd unit on one host are refused at the later key', () => {
    const text = yaml(
      'version: 1',
      'hosts:',
      '  ezra: { address: 10.0.0.5 }',
      'services:',
      '  wizard-scout: { kind: bus, host: ezra, port: 8650 }',
      'wizards:',
      '  scout: { host: ezra, port: 8660 }',
    );
    const result = parseFleet(text, { env: {} });
    expect(result.value).toBeUndefined();
    expect(result.errors.map(formatProblem)).toEqual([
      'fleet.yaml:7:3 error: wizards.scout: services.wizard-scout and wizards.scout on host ezra would both be fleet-wizard-scout.service',
    ]);
  });

  test('units clash only on one host: other names on one host, or the same names on two hosts, load', () => {
    const sameHost = yaml(
      'version: 1',
      'hosts:',
      '  ezra: { address: 10.0.0.5 }',
      'services:',
      '  wizard-scribe: { kind: bus, host: ezra, port: 8650 }',
      'wizards:',
      '  scout: { host: ezra, port: 8660 }',
    );
    const twoHosts = yaml(
      'version: 1',
      'hosts:',
      '  ezra: { address: 10.0.0.5 }',
      '  vps2: { address: 10.0.0.6 }',
      'services:',
      '  wizard-scout: { kind: bus, host: ezra, port: 8650 }',
      'wizards:',
      '  scout: { host: vps2, port: 8660 }',
    );
    for (const text of [sameHost, twoHosts]) {
      const result = parseFleet(text, { env: {} });
      expect(problemLines(text)).toEqual([]);
      expect(result.value).toBeDefined();
    }
  });

  test('invalid names, an empty file, a wrong version and a non-mapping root are clear sentences', () => {
    expect(problemLines('')).toEqual(['fleet.yaml:1:1 error: the file is empty: it needs at least "version: 1"']);
    expect(problemLines('# nothing yet\n')).toEqual([
      'fleet.yaml:1:1 error: the file is empty: it needs at least "version: 1"',
    ]);
    expect(problemLines('- version: 1\n')).toEqual(['fleet.yaml:1:1 error: must be a mapping, not a list']);
    expect(problemLines('version: 2\n', { file: 'ops/fleet.yaml' })).toEqual([
      'ops/fleet.yaml:1:10 error: version: must be 1',
    ]);
    expect(problemLines(yaml('version: 1', 'hosts:', '  "bad name": { address: 10.0.0.1 }'))).toEqual([
      'fleet.yaml:3:3 error: hosts.bad name: invalid name "bad name": must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    ]);
  });

  test('formatProblem leaves out an empty path', () => {
    const problem = { file: 'f.yaml', line: 2, column: 3, path: '', message: 'oops', severity: 'warning' as const };
    expect(formatProblem(problem)).toBe('f.yaml:2:3 warning: oops');
  });
});

test("fleetFileProblem locates a problem found outside the loader at its entry, printed like the loader's own", () => {
  const text = yaml(
    'version: 1',
    'hosts:',
    '  a: { address: 10.0.0.5 }',
    'services:',
    '  bus: { kind: bus, host: a, port: 8650 }',
  );
  expect(
    formatProblem(fleetFileProblem(text, 'fleet.yaml', ['services', 'bus'], 'unit fleet-bus.service is inactive')),
  ).toBe('fleet.yaml:5:3 error: services.bus: unit fleet-bus.service is inactive');
  expect(formatProblem(fleetFileProblem(text, 'f.yaml', ['services', 'gone'], 'drift', 'warning'))).toBe(
    'f.yaml:4:1 warning: services.gone: drift',
  );
});
