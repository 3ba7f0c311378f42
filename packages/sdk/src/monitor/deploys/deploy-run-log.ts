import type Database from 'better-sqlite3';
import { DashboardDeployRun, type DashboardDeploys, type DeployEventsInput } from '../../dashboard/deploy-status.ts';
import { DeployRunEvent } from '../../deploy/rollout-event.ts';
import { FleetError } from '../../errors.ts';
import { openDatabase } from '../../internal/sqlite-driver.ts';
import { applyDeployEvents, deployingHosts } from './apply-deploy-events.ts';

/** Options of {@link DeployRunLog}. */
export interface DeployRunLogOptions {
  /** SQLite file (the monitor's history file is fine: the table is its own), or `':memory:'`. */
  dbPath: string;
  /** How many runs are kept; older ones are deleted. @default 200 */
  keep?: number;
  /** Clock, epoch ms: when a batch arrived. @default Date.now */
  now?: () => number;
}

/** What one batch of events did to its run. */
export interface DeployEventsResult {
  /** The run after the batch. */
  run: DashboardDeployRun;
  /** Hosts that started deploying with this batch. */
  started: string[];
  /** Hosts that stopped deploying with this batch (finished, or the run ended). */
  finished: string[];
}

const TABLE = `CREATE TABLE IF NOT EXISTS deploy_runs (
  id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  run TEXT NOT NULL
)`;

/**
 * The deploy runs the dashboard was told about (`POST /api/deploys/events`), kept in SQLite so a
 * restarted dashboard still shows them. Each run is one row holding its JSON, rewritten by every
 * batch of events; runs are listed newest first by start time.
 */
export class DeployRunLog {
  readonly #db: Database.Database;
  readonly #keep: number;
  readonly #now: () => number;
  readonly #sql;

  /** Opens (creating it when missing) the `deploy_runs` table of `dbPath`. */
  constructor(options: DeployRunLogOptions) {
    this.#keep = options.keep ?? 200;
    this.#now = options.now ?? Date.now;
    const { db } = openDatabase(options.dbPath, (opened) => {
      opened.pragma('busy_timeout = 5000');
      opened.exec(TABLE);
    });
    this.#db = db;
    this.#sql = {
      get: db.prepare<[string], string>('SELECT run FROM deploy_runs WHERE id = ?').pluck(),
      put: db.prepare<[string, string, number, string]>(
        `INSERT INTO deploy_runs (id, started_at, received_at, run) VALUES (?, ?, ?, ?) ON CONFLICT (id)
         DO UPDATE SET started_at = excluded.started_at, received_at = excluded.received_at, run = excluded.run`,
      ),
      running: db.prepare<[number], { run: string; receivedAt: number }>(
        'SELECT run, received_at AS receivedAt FROM deploy_runs WHERE received_at >= ?',
      ),
      recent: db
        .prepare<[number], string>('SELECT run FROM deploy_runs ORDER BY started_at DESC, id DESC LIMIT ?')
        .pluck(),
      prune: db.prepare<[number]>(
        'DELETE FROM deploy_runs WHERE id NOT IN (SELECT id FROM deploy_runs ORDER BY started_at DESC, id DESC LIMIT ?)',
      ),
    };
  }

  /**
   * Applies a batch of a run's events and stores the run; says which hosts started or stopped
   * deploying. Each event is checked against the full `DeployRunEvent` schema first: a batch with
   * one that is not throws a `FleetError` `validation_failed` naming it, and changes nothing.
   */
  apply(input: DeployEventsInput): DeployEventsResult {
    const events = DeployRunEvent.array().safeParse(input.events);
    if (!events.success) {
      const issue = events.error.issues[0];
      const path = ['events', ...(issue?.path ?? [])].join('.');
      throw new FleetError('validation_failed', `${path}: ${issue?.message ?? 'not a deploy event'}`, {
        details: { field: path },
      });
    }
    const stored = this.#sql.get.get(input.run.id);
    const before = stored === undefined ? undefined : DashboardDeployRun.parse(JSON.parse(stored));
    const run = applyDeployEvents(before, { run: input.run, events: events.data });
    this.#db.transaction(() => {
      this.#sql.put.run(run.id, run.startedAt, this.#now(), JSON.stringify(run));
      this.#sql.prune.run(this.#keep);
    })();
    const was = new Set(before ? deployingHosts(before) : []);
    const now = new Set(deployingHosts(run));
    return {
      run,
      started: [...now].filter((host) => !was.has(host)),
      finished: [...was].filter((host) => !now.has(host)),
    };
  }

  /** The `limit` newest runs, and the last finished apply run when it failed. */
  deploys(limit = 20): DashboardDeploys {
    const runs = this.#recent(Math.max(limit, 1));
    const finished = this.#recent(this.#keep).find(
      (run) => run.mode === 'apply' && run.status !== 'running' && run.status !== 'aborted',
    );
    const shown = runs.slice(0, limit);
    return { runs: shown, count: shown.length, failed: finished?.status === 'failed' ? finished : null };
  }

  /** The hosts being deployed by any stored run still running. */
  deployingHosts(): string[] {
    return [...new Set(this.#recent(this.#keep).flatMap(deployingHosts))];
  }

  /**
   * The deploy windows still open after a restart: each host being deployed by a run whose last
   * batch arrived less than `windowMs` ago, until that arrival plus `windowMs`.
   */
  openWindows(windowMs: number): Array<{ host: string; untilMs: number }> {
    const nowMs = this.#now();
    return this.#sql.running.all(nowMs - windowMs + 1).flatMap(({ run, receivedAt }) =>
      deployingHosts(DashboardDeployRun.parse(JSON.parse(run))).map((host) => ({
        host,
        untilMs: receivedAt + windowMs,
      })),
    );
  }

  /** Closes the database. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #recent(limit: number): DashboardDeployRun[] {
    return this.#sql.recent.all(limit).map((text) => DashboardDeployRun.parse(JSON.parse(text)));
  }
}
