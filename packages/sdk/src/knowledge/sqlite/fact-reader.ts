import type { EncodedJson } from '../../contract/encoded-json.ts';
import type { Fact, FactPage } from '../../schemas/fact.ts';
import type { Page } from '../../schemas/list.ts';
import type { FactQueryInit, KnowledgeStats } from '../knowledge-db-options.ts';
import type { FactQueries } from './fact-query.ts';
import type { NodeRegistry } from './nodes.ts';
import { isLive, toFact } from './rows.ts';
import type { Statements } from './statements.ts';

/**
 * The reading side of the facts (see `KnowledgeDB` for each operation): one live fact by key,
 * query pages as objects or as the route's JSON, and the counts of the stored rows.
 */
export class FactReader {
  readonly #sql: Statements;
  readonly #nodes: NodeRegistry;
  readonly #queries: FactQueries;
  readonly #now: () => number;

  constructor(sql: Statements, nodes: NodeRegistry, queries: FactQueries, now: () => number) {
    this.#sql = sql;
    this.#nodes = nodes;
    this.#queries = queries;
    this.#now = now;
  }

  /** The live fact under `key`; undefined when absent, deleted or expired. */
  get(key: string): Fact | undefined {
    const row = this.#sql.byKey.get(key);
    return row && isLive(row, this.#now()) ? toFact(row, this.#nodes.nameOf(row.source)) : undefined;
  }

  /** One page of the live facts matching `query`, by key. */
  query(query: FactQueryInit): Page<Fact> {
    return this.#queries.run(query, this.#now());
  }

  /** The page {@link query} returns, encoded straight from the stored JSON text. */
  serveQuery(query: FactQueryInit): EncodedJson<FactPage> {
    return this.#queries.encoded(query, this.#now());
  }

  /** Counts of the stored rows: live facts, tombstones, expired facts not yet collected. */
  stats(): KnowledgeStats {
    const { rows, tombstones, expired } = this.#sql.stats.get({ now: this.#now() })!;
    return { facts: rows - tombstones - expired, tombstones, expired };
  }
}
