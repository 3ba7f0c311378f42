import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { crash, running } from './internal/crash-process.ts';
import { onProcessExit } from './internal/netns.ts';
import {
  type ClusterUser,
  clusterUser,
  PG_TMPDIR_PREFIX,
  postgresBinDir,
  sweepLeftoverClusters,
} from './internal/postgres-install.ts';
import { reportMissing } from './system-deps.ts';

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /**
   * Extra server settings, passed as `-c name=value`.
   * @example { max_connections: '200' }
   */
  settings?: Record<string, string>;
  /** How long to wait for the server to accept connections. @default 30000 */
  startTimeoutMs?: number;
}

/** A throwaway PostgreSQL cluster: superuser `postgres`, trust authentication, `fsync = off`. */
export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: the default database. */
  url: string;
  /** Always `127.0.0.1`. */
  host: string;
  /** The TCP port, the same across restarts. */
  port: number;
  /** The directory of the server's Unix socket. */
  socketDir: string;
  /** The cluster's data directory. */
  dataDir: string;
  /** The server's log file (its stderr). */
  logFile: string;
  /** Whether the server is running (as far as this handle knows). */
  readonly running: boolean;
  /** The URL of another database of this cluster. */
  urlFor(database: string): string;
  /**
   * Runs SQL with `psql` and resolves with its unaligned, tuples-only output, trimmed.
   * @example await pg.psql('SELECT 1') // '1'
   */
  psql(sql: string, database?: string): Promise<string>;
  /** Creates a new, empty database and resolves with its URL. @default name `db_<n>` */
  createDatabase(name?: string): Promise<string>;
  /** Fast shutdown (SIGINT: sessions are cut, the data is checkpointed); resolves once it has exited. */
  stop(): Promise<void>;
  /** A crash: SIGKILL to the server and every backend; resolves once they are gone. Data stays. */
  kill(): Promise<void>;
  /** Starts the server again on the same data directory and port (after a crash, it recovers first). */
  start(): Promise<void>;
}

let available: boolean | undefined;

/**
 * Whether a PostgreSQL server can be started here: Debian's `postgresql` installed (`initdb` under
 * `/usr/lib/postgresql/<major>/bin`) and, as root, a `postgres` account to run it as. When not,
 * says so loudly once and returns false so the suite can skip, or throws when
 * `FLEET_REQUIRE_SYSTEM_DEPS=1` (as `.ci/run` sets).
 *
 * @example
 * describe.skipIf(!hasPostgres())('on PostgreSQL', () => { ... })
 */
export function hasPostgres(): boolean {
  available ??=
    (postgresBinDir() !== undefined ||
      reportMissing(
        'PostgreSQL not found (no /usr/lib/postgresql/*/bin/initdb): install the Debian package postgresql (apt-get install -y postgresql)',
      )) &&
    clusterUser() !== undefined;
  return available;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function run(command: string, args: string[], user: ClusterUser): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', uid: user.uid, gid: user.gid }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The status line of `postmaster.pid` (`ready` once it accepts connections) when the file is the
 * server `pid`'s: after a crash the previous server's file, saying `ready`, is still there.
 */
function postmasterStatus(dataDir: string, pid: number | undefined): string | undefined {
  try {
    const lines = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return Number(lines[0]) === pid ? lines[7]?.trim() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a throwaway PostgreSQL cluster: `initdb` into a temp directory, then `postgres` on a free
 * port of 127.0.0.1 and a socket in that directory, with `fsync = off` (tests need no durability
 * against power loss; a SIGKILL of the server still loses nothing committed). As root it runs as
 * the `postgres` user (PostgreSQL refuses root). The server is killed and the directory removed
 * when the test process exits; clusters left by killed runs are swept on the next start. Guard the
 * suite with {@link hasPostgres}.
 *
 * @example
 * let pg: TestPostgres;
 * beforeAll(async () => { pg = await startPostgres(); });
 * afterAll(() => pg?.stop());
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const user = clusterUser();
  if (!bin || !user) throw new Error('PostgreSQL is not available: guard the suite with hasPostgres()');
  sweepLeftoverClusters();
  const root = mkdtempSync(join(tmpdir(), `${PG_TMPDIR_PREFIX}${process.pid}-`));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'socket');
  const logFile = join(root, 'server.log');
  mkdirSync(socketDir);
  for (const path of [root, socketDir]) chownSync(path, user.uid, user.gid);
  await run(
    join(bin, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    user,
  );
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: socketDir,
    fsync: 'off',
    full_page_writes: 'off',
    max_connections: '200',
    ...options.settings,
  };
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  let databases = 0;

  const killNow = () => {
    if (child?.pid !== undefined) crash(child.pid);
  };
  const cleanUp = () => {
    killNow();
    rmSync(root, { recursive: true, force: true });
  };
  const unregister = onProcessExit(cleanUp);

  const waitGone = async (pid: number) => {
    while (groupAlive(pid)) await sleep(10);
    child = undefined;
  };

  const start = async () => {
    if (child) throw new Error('the PostgreSQL server is already running');
    const log = openSync(logFile, 'a');
    // Detached: its own process group, so the test process's terminal signals do not reach it.
    const started = spawn(join(bin, 'postgres'), args, {
      uid: user.uid,
      gid: user.gid,
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    started.unref();
    child = started;
    let exited = false;
    started.once('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    while (postmasterStatus(dataDir, started.pid) !== 'ready') {
      if (exited || Date.now() > deadline) {
        killNow();
        child = undefined;
        const tail = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
        throw new Error(`PostgreSQL did not start (${exited ? 'it exited' : 'timed out'}); its log ends:\n${tail}`);
      }
      await sleep(10);
    }
  };

  const handle: TestPostgres = {
    url,
    host: '127.0.0.1',
    port,
    socketDir,
    dataDir,
    logFile,
    get running() {
      return child !== undefined;
    },
    urlFor: (database) => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    psql: async (sql, database = 'postgres') =>
      (
        await run(
          join(bin, 'psql'),
          [
            '-X',
            '-q',
            '-A',
            '-t',
            '-v',
            'ON_ERROR_STOP=1',
            '-h',
            socketDir,
            '-p',
            String(port),
            '-U',
            'postgres',
          ].concat(['-d', database, '-c', sql]),
          user,
        )
      ).trim(),
    createDatabase: async (name) => {
      databases += 1;
      const database = name ?? `db_${databases}`;
      await handle.psql(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
      return handle.urlFor(database);
    },
    stop: async () => {
      if (!child?.pid) return;
      const pid = child.pid;
      process.kill(pid, 'SIGINT');
      await waitGone(pid);
    },
    kill: async () => {
      if (!child?.pid) return;
      // The postmaster and its backends (sessions of their own): a restart needs their shared memory gone.
      const pids = crash(child.pid);
      while (pids.some(running)) await sleep(10);
      child = undefined;
    },
    start,
  };
  try {
    await start();
  } catch (error) {
    unregister();
    cleanUp();
    throw error;
  }
  return handle;
}
