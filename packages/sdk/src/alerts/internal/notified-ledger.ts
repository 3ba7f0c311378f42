import type { Level } from './alert-levels.ts';

/** What a rule last told its channels about one subject: the level (1 degraded, 2 down) and when. */
export interface AlertNotified {
  level: number;
  atMs: number;
}

/** Durable storage of the engine's {@link AlertNotified} entries, by opaque key. */
export interface AlertEngineMemory {
  load(): Iterable<readonly [string, AlertNotified]>;
  /** Stores the entry, or deletes it with `undefined`. */
  save(key: string, value: AlertNotified | undefined): void;
  /**
   * Runs `fn` in one transaction of the store, rolled back when it throws: the saves of an
   * `AlertEngine.atomically` pass then commit together with whatever else it writes to the
   * same store (the outbox's queued alerts), or not at all.
   * @default none: each save stands on its own, and a failed pass's saves are put back one by one
   */
  transaction?<T>(fn: () => T): T;
}

/** What a rule last told its channels about one subject. */
export interface Notified {
  level: Level;
  /** When it last sent about it (the first alert or a reminder). */
  atMs: number;
}

const NOTHING: Notified = { level: 0, atMs: 0 };

/**
 * What each rule last told its channels, per subject (keys start with the rule's id), mirrored to
 * an {@link AlertEngineMemory} so a restarted engine neither repeats an alert nor misses a recovery.
 */
export class NotifiedLedger {
  readonly #entries = new Map<string, Notified>();
  readonly #memory: AlertEngineMemory | undefined;
  /** While a unit of {@link atomically} runs: each key it changed, and what it held before. */
  #undo: Map<string, Notified | undefined> | undefined;

  /** Loads the remembered entries of the rules in `ruleIds`; forgets those of rules no longer there. */
  constructor(memory: AlertEngineMemory | undefined, ruleIds: readonly string[]) {
    this.#memory = memory;
    const known = new Set(ruleIds);
    for (const [key, value] of memory?.load() ?? []) {
      const level = value.level === 1 || value.level === 2 ? value.level : undefined;
      if (level !== undefined && known.has(key.split(' ', 1)[0]!)) this.#entries.set(key, { level, atMs: value.atMs });
      else memory?.save(key, undefined);
    }
  }

  /** The keys with a word standing that start with `prefix`, without it. */
  *keysAfter(prefix: string): Generator<string> {
    for (const key of this.#entries.keys()) if (key.startsWith(prefix)) yield key.slice(prefix.length);
  }

  /** The last word on `key`; level 0 when nothing stands. */
  get(key: string): Notified {
    return this.#entries.get(key) ?? NOTHING;
  }

  /** Records (or, with `undefined` or level 0, clears) the last word on `key`. */
  remember(key: string, value: Notified | undefined): void {
    const before = this.#entries.get(key);
    if (value === undefined || value.level === 0) {
      if (before === undefined) return;
      this.#journal(key, before);
      this.#entries.delete(key);
      this.#memory?.save(key, undefined);
      return;
    }
    this.#journal(key, before);
    this.#entries.set(key, value);
    this.#memory?.save(key, { level: value.level, atMs: value.atMs });
  }

  /**
   * Runs `unit` as one: what it records is saved in one transaction of the memory (when it has
   * one), with whatever else `unit` writes there; when it throws, every entry it changed is put
   * back, so what it recorded as told counts as never told. Inside another unit, it is part of it.
   */
  atomically<T>(unit: () => T): T {
    if (this.#undo) return unit();
    const undo = new Map<string, Notified | undefined>();
    this.#undo = undo;
    const memory = this.#memory;
    try {
      return memory?.transaction ? memory.transaction(unit) : unit();
    } catch (error) {
      for (const [key, value] of undo) {
        if (value === undefined) this.#entries.delete(key);
        else this.#entries.set(key, value);
        // The transaction took back the saves; without one, each save stood: put them back too.
        if (!memory?.transaction) memory?.save(key, value && { level: value.level, atMs: value.atMs });
      }
      throw error;
    } finally {
      this.#undo = undefined;
    }
  }

  /** Notes what `key` held before its first change in the running unit. */
  #journal(key: string, before: Notified | undefined): void {
    if (this.#undo && !this.#undo.has(key)) this.#undo.set(key, before);
  }
}
