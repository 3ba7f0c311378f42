import { DeployError } from './errors.ts';
import { PLAIN_WORD, unitQuotedText } from './internal/unit-word.ts';

/** A [Service] directive's value; several values are written as several lines. */
export type UnitValue = string | readonly string[];

/**
 * The sandboxing `renderUnit` puts in every service unit unless `hardening: false`: it takes
 * `systemd-analyze security` from 9.2 (UNSAFE) for a plain unit to below 2.0 (OK). It leaves out
 * `MemoryDenyWriteExecute=yes` on purpose: V8's JIT needs writable executable memory, so Node
 * aborts at startup under it, and every child process it spawns inherits it.
 */
export const UNIT_HARDENING: Readonly<Record<string, UnitValue>> = Object.freeze({
  NoNewPrivileges: 'yes',
  ProtectSystem: 'strict',
  ProtectHome: 'yes',
  PrivateTmp: 'yes',
  PrivateDevices: 'yes',
  PrivateUsers: 'yes',
  ProtectKernelTunables: 'yes',
  ProtectKernelModules: 'yes',
  ProtectKernelLogs: 'yes',
  ProtectControlGroups: 'yes',
  ProtectClock: 'yes',
  ProtectHostname: 'yes',
  ProtectProc: 'invisible',
  ProcSubset: 'pid',
  RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
  RestrictNamespaces: 'yes',
  RestrictRealtime: 'yes',
  RestrictSUIDSGID: 'yes',
  LockPersonality: 'yes',
  RemoveIPC: 'yes',
  SystemCallArchitectures: 'native',
  SystemCallFilter: Object.freeze(['@system-service', '~@privileged @resources']),
  CapabilityBoundingSet: '',
  UMask: '0077',
});

/** A long-running service, as {@link renderUnit} writes it. */
export interface SystemdUnit {
  /** `Description=`. */
  description: string;
  /**
   * The command: an argv array (each word quoted for systemd, `$` and `%` kept literal), or a line
   * written as it is (systemd's own quoting, `$VAR` expanded). The program should be an absolute path.
   * @example ['/usr/bin/node', '/opt/fleet/bus/current/server.js']
   */
  execStart: UnitValue;
  /** `User=`: never root for a Fleet service. */
  user: string;
  /** `Group=`. @default the user's primary group */
  group?: string;
  /** `WorkingDirectory=`. */
  workingDirectory?: string;
  /** `EnvironmentFile=`, e.g. `/etc/fleet/bus.env` (where secrets go); prefix `-` if it may be missing. */
  environmentFile?: UnitValue;
  /** `Environment=`, one line per variable (no secrets: units are world-readable). */
  environment?: Readonly<Record<string, string>>;
  /** `StateDirectory=`: `/var/lib/<it>`, created for the user and writable despite `ProtectSystem=strict`. */
  stateDirectory?: string;
  /** `LogsDirectory=`: `/var/log/<it>`. */
  logsDirectory?: string;
  /** `CacheDirectory=`: `/var/cache/<it>`. */
  cacheDirectory?: string;
  /** `RuntimeDirectory=`: `/run/<it>`. */
  runtimeDirectory?: string;
  /** `ReadWritePaths=`: other paths it may write under `ProtectSystem=strict`. */
  readWritePaths?: readonly string[];
  /** `After=` and `Wants=`. @default ['network-online.target'] */
  after?: readonly string[];
  /** `Type=`. @default 'exec' (start fails when the program cannot be executed) */
  type?: 'simple' | 'exec' | 'notify' | 'forking' | 'oneshot';
  /** `Restart=`. @default 'on-failure' */
  restart?: 'no' | 'on-success' | 'on-failure' | 'on-abnormal' | 'on-abort' | 'always';
  /** `RestartSec=` in seconds. @default 5 */
  restartSec?: number;
  /** `ExecReload=`, e.g. `['/bin/kill', '-HUP', '$MAINPID']` written as a line: `'/bin/kill -HUP $MAINPID'`. */
  execReload?: UnitValue;
  /** `MemoryMax=`, e.g. `512M`. */
  memoryMax?: string;
  /** `TasksMax=`. */
  tasksMax?: number;
  /** `WantedBy=` of `[Install]`. @default 'multi-user.target' */
  wantedBy?: string;
  /** Add {@link UNIT_HARDENING}. @default true */
  hardening?: boolean;
  /** More `[Service]` directives; one named in {@link UNIT_HARDENING} replaces it there. */
  service?: Readonly<Record<string, UnitValue>>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DIRECTIVE = /^[A-Z][A-Za-z0-9]*$/;

function noNewline(value: string, what: string): string {
  if (/[\n\r]/.test(value))
    throw new DeployError('invalid_plan', `Unit ${what} must be one line: ${JSON.stringify(value)}`);
  return value;
}

/** One word for a systemd command line or `Environment=`: `%` (and for commands `$`) kept literal. */
function unitWord(word: string, dollars: boolean): string {
  const escaped = unitQuotedText(word, dollars);
  return PLAIN_WORD.test(word) ? escaped : `"${escaped}"`;
}

/**
 * One word of a systemd command line (`ExecStart=`), taken literally: quoted when needed, `%` and
 * `$` doubled so systemd neither expands specifiers nor variables in it. Given in parts, the word
 * joins literal text (escaped so) with `{ variable }` parts written `${NAME}`, which systemd fills
 * from the unit's environment (`Environment=`, `EnvironmentFile=`) inside the same word, whatever
 * the value holds. For a line that mixes literal words with `${NAME}` expansions, join such words
 * with the expansions yourself.
 *
 * @example `${systemdCommandWord('/opt/my app/server.js')} --port \${PORT}` // '"/opt/my app/server.js" --port ${PORT}'
 * @example systemdCommandWord(['--api-key=', { variable: 'API_KEY' }]) // '--api-key=${API_KEY}'
 */
export function systemdCommandWord(word: string | readonly (string | { readonly variable: string })[]): string {
  if (typeof word === 'string') return unitWord(word, true);
  const literal = word.filter((part) => typeof part === 'string').join('');
  const text = word
    .map((part) => {
      if (typeof part === 'string') return unitQuotedText(part, true);
      if (!ENV_NAME.test(part.variable)) {
        throw new DeployError('invalid_plan', `"${part.variable}" is no environment variable name`);
      }
      return `\${${part.variable}}`;
    })
    .join('');
  // The expansions need no quotes; literal text does unless it is plain (or there is none).
  return literal === '' || PLAIN_WORD.test(literal) ? text : `"${text}"`;
}

function commandLine(value: UnitValue, what: string): string {
  if (typeof value === 'string') return noNewline(value, what);
  if (value.length === 0) throw new DeployError('invalid_plan', `Unit ${what} is empty`);
  return value.map((word) => unitWord(word, true)).join(' ');
}

function lines(key: string, value: UnitValue): string[] {
  const values = typeof value === 'string' ? [value] : value;
  return values.map((item) => `${key}=${noNewline(item, key)}`);
}

/**
 * A service unit file: `[Unit]`, `[Service]` with {@link UNIT_HARDENING} (unless `hardening:
 * false`) and `[Install]`. With the hardening set, `systemd-analyze security` rates it below 2.0.
 * Paths the service writes need `stateDirectory`, `logsDirectory` or `readWritePaths`, since the
 * rest of the file system is read-only to it.
 *
 * @example
 * renderUnit({ description: 'Fleet bus', execStart: ['/usr/bin/node', '/opt/fleet/bus/current/server.js'], user: 'fleet', environmentFile: '/etc/fleet/bus.env', stateDirectory: 'fleet/bus' })
 */
export function renderUnit(unit: SystemdUnit): string {
  const after = unit.after ?? ['network-online.target'];
  const service: [string, UnitValue][] = [
    ['Type', unit.type ?? 'exec'],
    ['User', unit.user],
  ];
  if (unit.group !== undefined) service.push(['Group', unit.group]);
  if (unit.workingDirectory !== undefined) service.push(['WorkingDirectory', unit.workingDirectory]);
  if (unit.environmentFile !== undefined) service.push(['EnvironmentFile', unit.environmentFile]);
  const environment = Object.entries(unit.environment ?? {}).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new DeployError('invalid_plan', `Invalid environment variable name "${name}"`);
    return unitWord(`${name}=${value}`, false);
  });
  if (environment.length > 0) service.push(['Environment', environment]);
  service.push(['ExecStart', commandLine(unit.execStart, 'ExecStart')]);
  if (unit.execReload !== undefined) service.push(['ExecReload', commandLine(unit.execReload, 'ExecReload')]);
  service.push(['Restart', unit.restart ?? 'on-failure'], ['RestartSec', String(unit.restartSec ?? 5)]);
  const directories = {
    StateDirectory: unit.stateDirectory,
    LogsDirectory: unit.logsDirectory,
    CacheDirectory: unit.cacheDirectory,
    RuntimeDirectory: unit.runtimeDirectory,
  };
  for (const [key, value] of Object.entries(directories)) if (value !== undefined) service.push([key, value]);
  if (unit.readWritePaths !== undefined) service.push(['ReadWritePaths', unit.readWritePaths.join(' ')]);
  if (unit.memoryMax !== undefined) service.push(['MemoryMax', unit.memoryMax]);
  if (unit.tasksMax !== undefined) service.push(['TasksMax', String(unit.tasksMax)]);
  const extra = { ...(unit.hardening === false ? {} : UNIT_HARDENING), ...unit.service };
  for (const [key, value] of Object.entries(extra)) {
    if (!DIRECTIVE.test(key)) throw new DeployError('invalid_plan', `Invalid unit directive "${key}"`);
    service.push([key, value]);
  }
  return [
    '[Unit]',
    `Description=${noNewline(unit.description.replaceAll('%', '%%'), 'Description')}`,
    ...(after.length > 0 ? [`After=${after.join(' ')}`, `Wants=${after.join(' ')}`] : []),
    '',
    '[Service]',
    ...service.flatMap(([key, value]) => lines(key, value)),
    '',
    '[Install]',
    `WantedBy=${unit.wantedBy ?? 'multi-user.target'}`,
    '',
  ].join('\n');
}
