import type { Statements } from './statements.ts';

/**
 * The `nodes` table in memory: facts store their writer as a small integer id, which keeps the
 * per-fact sync metadata small. Rows are only ever added.
 */
export class NodeRegistry {
  readonly #sql: Statements;
  readonly #ids = new Map<string, number>();
  readonly #names = new Map<number, string>();

  constructor(sql: Statements) {
    this.#sql = sql;
    for (const { id, name } of sql.nodes.all()) this.#remember(id, name);
  }

  /** The id of node `name`, added to the table when new (call inside the write transaction). */
  idOf(name: string): number {
    const known = this.#ids.get(name);
    if (known !== undefined) return known;
    const id = Number(this.#sql.insertNode.run(name).lastInsertRowid);
    this.#remember(id, name);
    return id;
  }

  /** The id of node `name` when it has written anything here, else undefined (never adds a row). */
  find(name: string): number | undefined {
    return this.#ids.get(name);
  }

  /** The name of node `id`. */
  nameOf(id: number): string {
    const name = this.#names.get(id);
    if (name === undefined) throw new Error(`Unknown node id ${id} in the knowledge database`);
    return name;
  }

  /** Forgets ids added by a transaction that rolled back. */
  reload(): void {
    this.#ids.clear();
    this.#names.clear();
    for (const { id, name } of this.#sql.nodes.all()) this.#remember(id, name);
  }

  #remember(id: number, name: string): void {
    this.#ids.set(name, id);
    this.#names.set(id, name);
  }
}
