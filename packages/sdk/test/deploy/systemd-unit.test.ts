// biome-ignore-all lint/suspicious/noTemplateCurlyInString: systemd command lines write ${NAME} expansions literally
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { afterAll, describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import { renderUnit, type SystemdUnit, systemdCommandWord, UNIT_HARDENING } from '../../src/deploy/systemd-unit.ts';

const dir = mkdtempSync(join(tmpdir(), 'fleet-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// `verify` needs ExecStart's program to exist here: this Node.
const NODE = process.execPath;
const UNITS: Record<string, SystemdUnit> = {
  'fleet-minimal.service': {
    description: 'Fleet minimal',
    execStart: [NODE, '/opt/fleet/x/server.js'],
    user: 'daemon',
  },
  'fleet-full.service': {
    description: 'Fleet bus (100% hardened)',
    execStart: [NODE, '-e', 'require("http").createServer((q, s) => s.end("$HOME ok")).listen(8650)'],
    user: 'daemon',
    group: 'daemon',
    workingDirectory: '/opt/fleet/bus/current',
    environmentFile: '-/etc/fleet/bus.env',
    environment: { NODE_ENV: 'production', GREETING: 'hello "fleet" 100%' },
    stateDirectory: 'fleet/bus',
    logsDirectory: 'fleet/bus',
    runtimeDirectory: 'fleet-bus',
    readWritePaths: ['/opt/fleet/bus/shared'],
    execReload: '/bin/kill -HUP $MAINPID',
    memoryMax: '512M',
    tasksMax: 256,
  },
};

function unitFile(name: string, unit: SystemdUnit): string {
  const file = join(dir, name);
  writeFileSync(file, renderUnit(unit));
  return file;
}

const hasAnalyze = hasSystemCommand('systemd-analyze', 'systemd');

describe('renderUnit', () => {
  test('never sets MemoryDenyWriteExecute, which aborts Node’s JIT', () => {
    expect(Object.keys(UNIT_HARDENING)).not.toContain('MemoryDenyWriteExecute');
    for (const unit of Object.values(UNITS)) expect(renderUnit(unit)).not.toContain('MemoryDenyWriteExecute');
  });

  test('quotes an argv ExecStart and Environment for systemd, keeping $ and % literal', () => {
    const text = renderUnit(UNITS['fleet-full.service']!);
    expect(text).toContain(
      `ExecStart=${NODE} -e "require(\\"http\\").createServer((q, s) => s.end(\\"$$HOME ok\\")).listen(8650)"`,
    );
    expect(text).toContain('Environment="GREETING=hello \\"fleet\\" 100%%"');
    expect(text).toContain('Description=Fleet bus (100%% hardened)');
    expect(text).toContain('SystemCallFilter=@system-service\nSystemCallFilter=~@privileged @resources\n');
  });

  test('a command word in parts keeps ${NAME} for systemd to fill, in the same word, and escapes the text', () => {
    expect(systemdCommandWord([{ variable: 'API_KEY' }])).toBe('${API_KEY}');
    expect(systemdCommandWord(['--key=', { variable: 'API_KEY' }])).toBe('--key=${API_KEY}');
    expect(systemdCommandWord(['--org=a b$1 ', { variable: 'ORG' }, '%'])).toBe('"--org=a b$$1 ${ORG}%%"');
    expect(systemdCommandWord(['${LITERAL}'])).toBe('"$${LITERAL}"');
    let error: unknown;
    try {
      systemdCommandWord([{ variable: 'NOT-A-NAME' }]);
    } catch (caught) {
      error = caught;
    }
    expect(isDeployError(error) && error.code).toBe('invalid_plan');
  });

  test('hardening: false leaves the sandboxing out; service directives replace hardening ones', () => {
    const base = UNITS['fleet-minimal.service']!;
    expect(renderUnit({ ...base, hardening: false })).not.toContain('ProtectSystem');
    const relaxed = renderUnit({ ...base, service: { ProtectHome: 'read-only' } });
    expect(relaxed.match(/^ProtectHome=.*$/gm)).toEqual(['ProtectHome=read-only']);
  });

  test('a newline in a value or a bad name is a plan error', () => {
    const base = UNITS['fleet-minimal.service']!;
    for (const bad of [
      { ...base, user: 'a\nExecStartPre=/bin/sh' },
      { ...base, environment: { 'BAD NAME': 'x' } },
      { ...base, service: { 'x=y': 'z' } },
    ]) {
      expect(() => renderUnit(bad)).toThrow(expect.objectContaining({ code: 'invalid_plan' }));
    }
    expect(isDeployError(new Error('x'))).toBe(false);
  });

  describe.skipIf(!hasAnalyze)('with systemd-analyze', () => {
    test.each(Object.keys(UNITS))('%s passes systemd-analyze verify', (name) => {
      const file = unitFile(name, UNITS[name]!);
      const verify = spawnSync('systemd-analyze', ['verify', '--recursive-errors=no', '--man=no', file], {
        encoding: 'utf8',
      });
      expect(verify.status, verify.stderr).toBe(0);
      // verify exits 0 on some problems and only says so: no line may name the file but the known
      // warning about a special user.
      const problems = verify.stderr
        .split('\n')
        .filter((line) => line.includes(file) && !line.includes('Special user'));
      expect(problems).toEqual([]);
    });

    test.each(Object.keys(UNITS))('%s scores at most 2.0 in systemd-analyze security', (name) => {
      const file = unitFile(name, UNITS[name]!);
      const security = spawnSync('systemd-analyze', ['security', '--offline=true', '--threshold=20', file], {
        encoding: 'utf8',
      });
      expect(security.status, security.stdout + security.stderr).toBe(0);
      const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(security.stdout)?.[1]);
      expect(score).toBeLessThanOrEqual(2);
    });

    test('without hardening the same unit fails the 2.0 threshold (the gate can fail)', () => {
      const file = unitFile('fleet-plain.service', { ...UNITS['fleet-minimal.service']!, hardening: false });
      const security = spawnSync('systemd-analyze', ['security', '--offline=true', '--threshold=20', file], {
        encoding: 'utf8',
      });
      expect(security.status).not.toBe(0);
    });

    test('a unit with a bad directive value fails verify', () => {
      const file = join(dir, 'fleet-bad.service');
      writeFileSync(file, renderUnit({ ...UNITS['fleet-minimal.service']!, service: { ProtectSystem: 'sometimes' } }));
      const verify = spawnSync('systemd-analyze', ['verify', '--recursive-errors=no', '--man=no', file], {
        encoding: 'utf8',
      });
      const problems = verify.stderr
        .split('\n')
        .filter((line) => line.includes(file) && !line.includes('Special user'));
      expect(problems.length).toBeGreaterThan(0);
    });
  });

  describe.skipIf(!hasSystemCommand('setpriv', 'util-linux'))(
    'Node under the hardening this machine can apply without systemd',
    () => {
      test('starts, compiles with its JIT and serves with no new privileges, no capabilities and umask 0077', () => {
        // NoNewPrivileges=yes, CapabilityBoundingSet= (empty) and UMask=0077 applied by hand; the
        // seccomp filter and namespaces need systemd. A hot loop makes V8 optimize (write+execute code).
        const script =
          'let s = 0; for (let i = 0; i < 3e7; i++) s += i % 7; ' +
          'const server = require("http").createServer((q, r) => r.end("ok")).listen(0, () => { server.close(); console.log("served", s, process.umask().toString(8)); });';
        const run = spawnSync(
          'setpriv',
          [
            '--no-new-privs',
            '--bounding-set=-all',
            '--inh-caps=-all',
            'sh',
            '-c',
            'umask 0077 && exec "$0" -e "$1"',
            NODE,
            script,
          ],
          { encoding: 'utf8' },
        );
        expect(run.stderr).toBe('');
        let sum = 0;
        for (let i = 0; i < 3e7; i++) sum += i % 7;
        expect(run.stdout.trim()).toBe(`served ${sum} 77`);
        expect(run.status).toBe(0);
      });
    },
  );
});
