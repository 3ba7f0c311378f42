import type { FactRow, StoredState } from './rows.ts';
import type { Statements } from './statements.ts';

function parseTags(text: string | null): string[] {
  return text === null ? [] : (JSON.parse(text) as string[]);
}

/**
 * Writes the new state of a key: the `facts` row (moved to its new seq), its full-text entry
 * and its tag rows. Done in code rather than by triggers: with JSON tag arrays, triggers took
 * twice the CPU per fact. Tombstones have neither text nor tags indexed.
 */
export class FactWriter {
  readonly #sql: Statements;

  constructor(sql: Statements) {
    this.#sql = sql;
  }

  /**
   * Stores `row`, replacing `old` (the key's current state, looked up in the same transaction).
   * `tags` are the row's tags as an array when the caller has them (saves parsing `row.tags`).
   */
  write(row: FactRow, old: StoredState | undefined, tags: readonly string[] = parseTags(row.tags)): void {
    const sql = this.#sql;
    const params = [row.seq, row.key, row.value, row.tags, row.expiresAt, row.vMs, row.vCounter, row.source] as const;
    if (old) {
      sql.moveFact.run(...params, old.seq);
      if (!old.deleted) sql.deleteText.run(old.seq);
      if (old.tags !== row.tags) {
        const next = new Set(tags);
        const previous = parseTags(old.tags);
        for (const tag of previous) if (!next.has(tag)) sql.deleteTag.run(tag, row.key);
        for (const tag of previous) next.delete(tag);
        for (const tag of next) sql.insertTag.run(tag, row.key);
      }
    } else {
      sql.insertFact.run(...params);
      for (const tag of tags) sql.insertTag.run(tag, row.key);
    }
    if (row.value !== null) sql.insertText.run(row.seq, row.key, row.value);
  }
}
