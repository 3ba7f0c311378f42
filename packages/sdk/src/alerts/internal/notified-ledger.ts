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
    if (value === undefined || value.level === 0) {
      if (!this.#entries.delete(key)) return;
      this.#memory?.save(key, undefined);
      return;
    }
    this.#entries.set(key, value);
    this.#memory?.save(key, { level: value.level, atMs: value.atMs });
  }
}
