import { createHash } from 'node:crypto';
import type { Executor } from '../executor.ts';
import type { Plan } from '../plan.ts';
import { fromRoot, runScript, scriptFailed } from './host-script.ts';

/**
 * Handlers due on a host but not run yet, recorded in `plan.pendingHandlers` (a directory on the
 * host), one small file per handler. A step that notifies handlers records them before it is
 * applied, and a handler's record is removed once it succeeded. So a run killed between a change
 * and its handler (SIGKILL, a reboot, a cut connection) leaves the record, and the next run runs
 * the handler even though it finds nothing left to change. A record is written before the change
 * is made, so at worst a handler runs once too often (the change was never made), never too
 * rarely. A failed handler keeps its record: the next run tries again.
 */
export class PendingHandlers {
  /** Handlers recorded on the host: by earlier runs (with the steps that notified them), or by this one. */
  readonly #recorded = new Map<string, string[]>();
  /** Handlers this run has run (whatever the mode): an earlier run's record of one is settled. */
  readonly #ran = new Set<string>();
  #madeDirectory = false;

  private constructor(
    private readonly executor: Executor,
    private readonly directory: string | undefined,
  ) {}

  /**
   * The records of the plan's handlers on the host, in one probe. None when the plan keeps no
   * records, or when the host cannot be read: the records stay for a run that can read them.
   */
  static async read(executor: Executor, plan: Plan): Promise<PendingHandlers> {
    const pending = new PendingHandlers(executor, plan.pendingHandlers);
    const names = Object.keys(plan.handlers ?? {});
    if (plan.pendingHandlers === undefined || names.length === 0) return pending;
    const requests = names.map((name) => ({ path: pending.#path(name), content: true, maxBytes: 65_536 }));
    const found = await executor.probe(requests).catch(() => []);
    for (const [index, info] of found.entries()) {
      if (!info.exists || info.content === undefined) continue;
      pending.#recorded.set(names[index]!, stepsOf(info.content));
    }
    return pending;
  }

  /** Handlers earlier runs left due, with the steps that notified them. */
  earlier(): ReadonlyMap<string, readonly string[]> {
    return new Map(this.#recorded);
  }

  /** Notes that this run ran `handler`: a later phase does not run it again for an earlier run's record. */
  ran(handler: string): void {
    this.#ran.add(handler);
  }

  /** Whether this run ran `handler` already. */
  hasRun(handler: string): boolean {
    return this.#ran.has(handler);
  }

  /**
   * Records `handlers` as due, notified by `step` (its name with the plan's secrets already
   * redacted), before the step changes the host. The record is readable by root only.
   */
  async record(handlers: readonly string[], step: string): Promise<void> {
    if (this.directory === undefined) return;
    for (const handler of handlers) {
      if (this.#recorded.has(handler)) continue;
      if (!this.#madeDirectory) await this.executor.mkdir(this.directory, { mode: 0o755 });
      this.#madeDirectory = true;
      const record = { handler, notifiedBy: [step], at: new Date().toISOString() };
      await this.executor.writeFile(this.#path(handler), `${JSON.stringify(record)}\n`, { mode: 0o600 });
      this.#recorded.set(handler, [step]);
    }
  }

  /** Removes a handler's record once it succeeded. */
  async done(handler: string): Promise<void> {
    if (this.directory === undefined || !this.#recorded.has(handler)) return;
    const what = `remove the pending record of handler "${handler}"`;
    const result = await runScript(this.executor, what, 'rm -f -- "$1"', [fromRoot(this.#path(handler))]);
    if (result.exitCode !== 0) throw scriptFailed(this.executor, what, result);
    this.#recorded.delete(handler);
  }

  /** `<directory>/<name as letters, digits, . _ ->-<hash>.json`: readable, and unique per handler name. */
  #path(handler: string): string {
    const safe = handler.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
    const hash = createHash('sha256').update(handler).digest('hex').slice(0, 12);
    return `${this.directory!.replace(/\/+$/, '')}/${safe}-${hash}.json`;
  }
}

function stepsOf(content: string): string[] {
  try {
    const value = JSON.parse(content) as { notifiedBy?: unknown };
    return Array.isArray(value.notifiedBy) ? value.notifiedBy.filter((step) => typeof step === 'string') : [];
  } catch {
    return [];
  }
}
