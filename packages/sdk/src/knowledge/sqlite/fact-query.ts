import type Database from 'better-sqlite3';
import { type EncodedJson, encodeList } from '../../contract/encoded-json.ts';
import { invalidField } from '../../internal/invalid-field.ts';
import type { Fact, FactPage } from '../../schemas/fact.ts';
import { fullTextQueryProblem, MAX_FULL_TEXT_MATCHES } from '../../schemas/full-text-rules.ts';
import type { Page } from '../../schemas/list.ts';
import type { NodeRegistry } from './nodes.ts';
import { cutPage } from './page-budget.ts';
import { encodeFact, FACT_COLUMNS, type FactRow, toFact } from './rows.ts';
import { prepare, prepareFactRows, type Statement } from './statements.ts';

/** The filters of a fact query, as KnowledgeDB passes them on. */
export interface FactFilter {
  prefix?: string | undefined;
  tag?: string | undefined;
  q?: string | undefined;
  updatedSince?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/**
 * Up to this many facts updated since an instant are read through `facts_updated` and sorted by
 * key; beyond it, a key-ordered scan reaches `limit` matches sooner.
 */
const FEW_UPDATED = 2000;

/** The cursor of a page ordered by key: the last key, base64url-encoded. */
export function encodeKeyCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The key after which the next page starts; throws `validation_failed` for a malformed cursor. */
export function decodeKeyCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key === '' || encodeKeyCursor(key) !== cursor) throw invalidField('cursor', 'not a cursor this list returned');
  return key;
}

/**
 * Runs fact queries: one SQL shape per combination of filters, prepared once and cached. Every
 * shape walks an index in key order (`facts_key`, or `fact_tags` for a tag) and stops at the
 * limit; full text starts from the FTS5 matches and sorts them by key. A page also stops once its
 * values reach `MAX_PAGE_VALUE_BYTES` (4 MiB; at least one fact), with a `nextCursor` to go on: so
 * that a page of large values stays below a client's `maxResponseBytes`. So that one query cannot
 * hold the event loop, a full-text query must follow `fullTextQueryProblem`'s rules and match at
 * most {@link MAX_FULL_TEXT_MATCHES} facts (counted first, stopping one past the cap).
 */
export class FactQueries {
  readonly #db: Database.Database;
  readonly #nodes: NodeRegistry;
  readonly #cache = new Map<string, Statement<[Record<string, unknown>], FactRow>>();
  readonly #manyUpdatedSince: Statement<[number], unknown>;
  readonly #tooManyMatches: Statement<[Record<string, unknown>], unknown>;

  constructor(db: Database.Database, nodes: NodeRegistry) {
    this.#db = db;
    this.#nodes = nodes;
    this.#manyUpdatedSince = prepare(
      db,
      `SELECT 1 FROM facts INDEXED BY facts_updated WHERE v_ms >= ? LIMIT 1 OFFSET ${FEW_UPDATED}`,
    );
    this.#tooManyMatches = prepare(
      db,
      `SELECT 1 FROM facts_fts WHERE facts_fts MATCH @q LIMIT 1 OFFSET ${MAX_FULL_TEXT_MATCHES}`,
    );
  }

  /** Live, unexpired facts matching every filter, ordered by key, one page (`limit` facts or fewer). */
  run(filter: FactFilter, now: number): Page<Fact> {
    const { items, nextCursor } = this.#rows(filter, now);
    return { items: items.map((row) => toFact(row, this.#nodes.nameOf(row.source))), nextCursor };
  }

  /** {@link run}'s page as the `GET /facts` answer, encoded without decoding the stored values. */
  encoded(filter: FactFilter, now: number): EncodedJson<FactPage> {
    const { items, nextCursor } = this.#rows(filter, now);
    const facts = items.map((row) => encodeFact(row, this.#nodes.nameOf(row.source)));
    return encodeList('facts', facts, { nextCursor });
  }

  #rows(filter: FactFilter, now: number): Page<FactRow> {
    const limit = filter.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1) throw invalidField('limit', 'must be a positive whole number');
    const params: Record<string, unknown> = { now, limit: limit + 1 };
    const where = ['f.value IS NOT NULL', '(f.expires_at IS NULL OR f.expires_at > @now)'];
    let from = 'facts f';
    let keyColumn = 'f.key';
    if (filter.q !== undefined) {
      this.#checkFullText(filter.q);
      // FTS drives the join: its matches are at most MAX_FULL_TEXT_MATCHES, then sorted by key.
      from = 'facts_fts CROSS JOIN facts f ON f.seq = facts_fts.rowid';
      where.push('facts_fts MATCH @q');
      params.q = filter.q;
    }
    if (filter.tag !== undefined) {
      if (filter.q === undefined) {
        from = 'fact_tags t CROSS JOIN facts f ON f.key = t.key';
        keyColumn = 't.key';
      } else {
        from += ' CROSS JOIN fact_tags t ON t.key = f.key';
      }
      where.push('t.tag = @tag');
      params.tag = filter.tag;
    }
    if (filter.prefix) {
      where.push(`${keyColumn} >= @prefix`, `${keyColumn} < (@prefix || x'ff')`);
      params.prefix = filter.prefix;
    }
    if (filter.updatedSince !== undefined) {
      const since = Date.parse(filter.updatedSince);
      if (Number.isNaN(since)) throw invalidField('updatedSince', 'must be an ISO 8601 timestamp');
      where.push('f.v_ms >= @since');
      params.since = since;
      // Few recent updates: read them by time and sort; many: walk keys in order, skipping older ones.
      if (from === 'facts f' && this.#manyUpdatedSince.get(since) === undefined)
        from = 'facts f INDEXED BY facts_updated';
    }
    if (filter.cursor !== undefined) {
      where.push(`${keyColumn} > @after`);
      params.after = decodeKeyCursor(filter.cursor);
    }
    const sql = `SELECT ${FACT_COLUMNS} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${keyColumn} LIMIT @limit`;
    const rows = this.#all(sql, params, filter.q !== undefined);
    // Every shape orders by the key the cursor compares, so the next page starts right after the last fact kept.
    const more = cutPage(rows, limit);
    return { items: rows, nextCursor: more ? encodeKeyCursor(rows[rows.length - 1]!.key) : null };
  }

  /** Refuses a full-text query that breaks the rules or matches too many facts to sort. */
  #checkFullText(q: string): void {
    const problem = fullTextQueryProblem(q);
    if (problem !== undefined) throw invalidField('q', problem, 'full_text_limits');
    const tooMany = this.#fullText(true, () => this.#tooManyMatches.get({ q }) !== undefined);
    if (tooMany) {
      throw invalidField(
        'q',
        `matches more than ${MAX_FULL_TEXT_MATCHES} facts, more than one query may sort; add words to narrow it`,
        'too_many_matches',
      );
    }
  }

  #all(sql: string, params: Record<string, unknown>, fullText: boolean): FactRow[] {
    let statement = this.#cache.get(sql);
    if (!statement) {
      statement = prepareFactRows<[Record<string, unknown>]>(this.#db, sql);
      this.#cache.set(sql, statement);
    }
    const prepared = statement;
    return this.#fullText(fullText, () => prepared.all(params));
  }

  /** Runs `read`, turning the error of a malformed MATCH expression into `validation_failed` on `q`. */
  #fullText<T>(fullText: boolean, read: () => T): T {
    try {
      return read();
    } catch (error) {
      // A malformed MATCH expression only shows when the statement runs.
      if (fullText && (error as { code?: unknown }).code === 'SQLITE_ERROR') {
        throw invalidField(
          'q',
          `not a valid full-text query (SQLite FTS5 syntax): ${(error as Error).message}`,
          'fts5',
        );
      }
      throw error;
    }
  }
}
