/**
 * A stand-in for `systemctl`, for the test hosts ONLY (`@fleet/test-utils/test-hosts` bind-mounts
 * it over /usr/bin/systemctl inside each host's private mount namespace): the hosts have no
 * systemd, and deploy tests need `systemctl` to manage real processes. Never install it anywhere
 * else.
 *
 * It reads units from /etc/systemd/system (the host's private copy) and keeps its state in
 * /run/fleet-systemctl (private to the host too): `daemon-reload` snapshots the unit files, and
 * `start` uses a unit's snapshot (or its file, if never reloaded), as systemd uses the loaded unit.
 * `start` really spawns ExecStart= (detached, in a new session) as User=/Group= with Environment=,
 * EnvironmentFile= and WorkingDirectory=, its output appended to /run/fleet-systemctl/<unit>.log;
 * it fails when the program is missing or the process dies within 300 ms. `stop` sends SIGTERM to
 * the process group (SIGKILL after 5 s), `reload` SIGHUP to the main process. `enable`/`disable`
 * manage the WantedBy= symlinks. Commands: daemon-reload, start, stop, restart, reload, enable,
 * disable, is-enabled, is-active, status, show (`-p`/`--property`). Everything else a unit says
 * (sandboxing, Restart=, Type=, StateDirectory=, ...) is ignored: nothing else is faked.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';

const UNIT_DIR = '/etc/systemd/system';
const STATE = '/run/fleet-systemctl';
const SNAPSHOT = join(STATE, 'units');
const STARTUP_MS = 300;
const STOP_GRACE_MS = 5_000;
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

class Failure extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

const unitName = (name) => (name.includes('.') ? name : `${name}.service`);
const stateFile = (unit, suffix) => join(STATE, `${unit}.${suffix}`);
const read = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);

/** A unit file's directives per section: `{ Service: { ExecStart: ['...'] } }`; an empty value resets. */
function parseUnit(text) {
  const sections = {};
  let section;
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (trimmed.startsWith('[')) {
      section = sections[trimmed.slice(1, -1)] ??= {};
      continue;
    }
    const equals = trimmed.indexOf('=');
    if (equals < 0 || section === undefined) continue;
    const key = trimmed.slice(0, equals).trim();
    const value = trimmed.slice(equals + 1).trim();
    section[key] = value === '' ? [] : [...(section[key] ?? []), value];
  }
  return sections;
}

/** systemd's word splitting: quotes, backslash escapes, `%%`; with `env`, `$$`, `$NAME` and `${NAME}`. */
function words(line, env) {
  const result = [];
  let word;
  let quote;
  const escapes = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'", ' ': ' ' };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === undefined && /\s/.test(c)) {
      if (word !== undefined) result.push(word);
      word = undefined;
      continue;
    }
    word ??= '';
    if (c === quote) quote = undefined;
    else if (quote === undefined && (c === '"' || c === "'")) quote = c;
    else if (c === '\\' && i + 1 < line.length) word += escapes[line[++i]] ?? line[i];
    else if (c === '%' && line[i + 1] === '%') word += line[i++];
    else if (c === '$' && env !== undefined) {
      const name = /^\$(?:\{(\w+)\}|(\w+))/.exec(line.slice(i));
      if (line[i + 1] === '$') word += line[i++];
      else if (name) {
        word += env[name[1] ?? name[2]] ?? '';
        i += name[0].length - 1;
      } else word += c;
    } else word += c;
  }
  if (word !== undefined) result.push(word);
  return result;
}

function loaded(unit) {
  const text = read(join(SNAPSHOT, unit)) ?? read(join(UNIT_DIR, unit));
  if (text === undefined) throw new Failure(`Unit ${unit} not found.`, 5);
  return parseUnit(text);
}

function isAlive(pid) {
  const stat = read(`/proc/${pid}/stat`);
  // A zombie (nobody reaped it yet) is dead.
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

function mainPid(unit) {
  const pid = Number(read(stateFile(unit, 'pid')));
  return pid > 0 && isAlive(pid) ? pid : 0;
}

function activeState(unit) {
  if (mainPid(unit) > 0) return 'active';
  return existsSync(stateFile(unit, 'pid')) || existsSync(stateFile(unit, 'failed')) ? 'failed' : 'inactive';
}

const wantsLinks = (unit) =>
  readdirSync(UNIT_DIR)
    .filter((dir) => dir.endsWith('.wants') && existsSync(join(UNIT_DIR, dir, unit)))
    .map((dir) => join(UNIT_DIR, dir, unit));

function unitFileState(unit) {
  const text = read(join(UNIT_DIR, unit));
  if (text === undefined) return '';
  if (wantsLinks(unit).length > 0) return 'enabled';
  return parseUnit(text).Install?.WantedBy ? 'disabled' : 'static';
}

function account(user) {
  const [, , uid, gid, , home, shell] = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).split(':');
  return { uid: Number(uid), gid: Number(gid), home, shell: shell?.trim() };
}

function environment(service, user) {
  const env = { PATH };
  if (user !== undefined)
    Object.assign(env, { USER: user.name, LOGNAME: user.name, HOME: user.home, SHELL: user.shell });
  for (const line of service.Environment ?? []) {
    for (const pair of words(line)) env[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
  }
  // EnvironmentFile= overrides Environment=, as in systemd; a leading `-` means it may be missing.
  for (const entry of service.EnvironmentFile ?? []) {
    const file = entry.replace(/^-/, '');
    const text = read(file);
    if (text === undefined && !entry.startsWith('-')) throw new Failure(`EnvironmentFile ${file} not found`);
    for (const line of (text ?? '').split('\n')) {
      const match = /^\s*(?:export\s+)?([A-Za-z_]\w*)=(.*)$/.exec(line);
      if (match) env[match[1]] = match[2].trim().replace(/^(["'])(.*)\1$/, '$2');
    }
  }
  return env;
}

function resolveProgram(program) {
  const candidates = program.includes('/') ? [program] : PATH.split(delimiter).map((dir) => join(dir, program));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

async function start(unit) {
  if (mainPid(unit) > 0) return;
  const service = loaded(unit).Service ?? {};
  const user =
    service.User?.at(-1) === undefined ? undefined : { name: service.User.at(-1), ...account(service.User.at(-1)) };
  const gid =
    service.Group?.at(-1) === undefined
      ? user?.gid
      : Number(execFileSync('getent', ['group', service.Group.at(-1)], { encoding: 'utf8' }).split(':')[2]);
  const env = environment(service, user);
  const fail = (why) => {
    writeFileSync(stateFile(unit, 'failed'), `${why}\n`);
    return new Failure(`Job for ${unit} failed: ${why}. See ${stateFile(unit, 'log')}.`);
  };
  const [program, ...args] = words((service.ExecStart?.at(-1) ?? '').replace(/^[-@+!:]+/, ''), env);
  const path = program === undefined ? undefined : resolveProgram(program);
  if (path === undefined) throw fail(`ExecStart program ${program ?? '(none)'} not found or not executable`);
  const cwd =
    service.WorkingDirectory?.at(-1)
      ?.replace(/^-/, '')
      .replace(/^~$/, user?.home ?? '/') ?? '/';
  const log = openSync(stateFile(unit, 'log'), 'a');
  const child = spawn(path, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', log, log],
    ...(user === undefined ? {} : { uid: user.uid }),
    ...(gid === undefined ? {} : { gid }),
  });
  const died = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), STARTUP_MS);
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(`the process exited (${code ?? signal}) within ${STARTUP_MS} ms`);
    });
  });
  if (died !== undefined) throw fail(died);
  rmSync(stateFile(unit, 'failed'), { force: true });
  writeFileSync(stateFile(unit, 'pid'), `${child.pid}\n`);
  child.unref();
}

async function stop(unit) {
  const pid = mainPid(unit);
  const signal = (name) => {
    try {
      process.kill(-pid, name);
    } catch {}
  };
  if (pid > 0) {
    signal('SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (isAlive(pid)) signal('SIGKILL');
  }
  rmSync(stateFile(unit, 'pid'), { force: true });
  rmSync(stateFile(unit, 'failed'), { force: true });
}

function show(unit, properties) {
  const pid = mainPid(unit);
  const state = activeState(unit);
  const live = read(join(UNIT_DIR, unit));
  const snapshot = read(join(SNAPSHOT, unit));
  const values = {
    LoadState: live === undefined && snapshot === undefined ? 'not-found' : 'loaded',
    ActiveState: state,
    SubState: { active: 'running', failed: 'failed', inactive: 'dead' }[state],
    UnitFileState: unitFileState(unit),
    MainPID: String(pid),
    NeedDaemonReload: snapshot !== undefined && live !== snapshot ? 'yes' : 'no',
  };
  const wanted = properties.length > 0 ? properties : Object.keys(values);
  return wanted.map((key) => `${key}=${values[key] ?? ''}\n`).join('');
}

const commands = {
  'daemon-reload': () => {
    rmSync(SNAPSHOT, { recursive: true, force: true });
    mkdirSync(SNAPSHOT, { recursive: true });
    for (const entry of readdirSync(UNIT_DIR, { withFileTypes: true })) {
      if (entry.isFile()) copyFileSync(join(UNIT_DIR, entry.name), join(SNAPSHOT, entry.name));
    }
  },
  start,
  stop,
  restart: async (unit) => {
    await stop(unit);
    await start(unit);
  },
  reload: (unit) => {
    const pid = mainPid(unit);
    if (pid === 0) throw new Failure(`Job for ${unit} failed: ${unit} is not active, cannot reload.`);
    process.kill(pid, 'SIGHUP');
  },
  enable: (unit, options) => {
    const text = read(join(UNIT_DIR, unit));
    if (text === undefined) throw new Failure(`Failed to enable unit: Unit file ${unit} does not exist.`);
    for (const target of words((parseUnit(text).Install?.WantedBy ?? []).join(' '))) {
      const link = join(UNIT_DIR, `${target}.wants`, unit);
      mkdirSync(join(UNIT_DIR, `${target}.wants`), { recursive: true });
      if (!existsSync(link)) symlinkSync(join(UNIT_DIR, unit), link);
      process.stdout.write(`Created symlink ${link} → ${readlinkSync(link)}.\n`);
    }
    return options.now ? start(unit) : undefined;
  },
  disable: (unit) => {
    for (const link of wantsLinks(unit)) {
      rmSync(link);
      process.stdout.write(`Removed "${link}".\n`);
    }
  },
  'is-enabled': (unit) => {
    const state = unitFileState(unit);
    if (state === '') throw new Failure(`Failed to get unit file state for ${unit}: No such file or directory`);
    process.stdout.write(`${state}\n`);
    return state === 'disabled' ? 1 : 0;
  },
  'is-active': (unit) => {
    const state = activeState(unit);
    process.stdout.write(`${state}\n`);
    return state === 'active' ? 0 : 3;
  },
  status: (unit) => {
    process.stdout.write(`● ${unit}\n${show(unit, ['LoadState', 'ActiveState', 'SubState', 'MainPID'])}`);
    const log = (read(stateFile(unit, 'log')) ?? '').trimEnd().split('\n').slice(-10).join('\n');
    process.stdout.write(`\n${log}\n`);
    return activeState(unit) === 'active' ? 0 : 3;
  },
  show: (unit, options) => void process.stdout.write(show(unit, options.properties)),
};

async function main(argv) {
  const options = { properties: [], now: false };
  const operands = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-p' || arg === '--property') options.properties.push(...argv[++i].split(','));
    else if (arg.startsWith('--property=')) options.properties.push(...arg.slice(11).split(','));
    else if (arg === '--now') options.now = true;
    else if (!arg.startsWith('-')) operands.push(arg);
  }
  const [command, ...units] = operands;
  const run = commands[command];
  if (run === undefined) throw new Failure(`systemctl stand-in (test hosts): unsupported command "${command}"`);
  mkdirSync(STATE, { recursive: true });
  if (command === 'daemon-reload') return run();
  if (units.length === 0) throw new Failure(`Too few arguments: systemctl ${command} needs a unit`);
  let exitCode = 0;
  for (const unit of units) exitCode = Math.max(exitCode, (await run(unitName(unit), options)) ?? 0);
  return exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code ?? 0),
  (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(error instanceof Failure ? error.exitCode : 1);
  },
);
