import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { prepare, type Statement, type Statements } from './statements.ts';

/**
 * How many feeds the history keeps: one per open, so a node restarting in a loop (systemd
 * restarting a crashing service every 100 ms) would otherwise add hundreds of thousands of rows a
 * day. About 1 MB; a node restarting every hour keeps more than a year of feeds.
 */
export const KEPT_FEEDS = 10_000;

/**
 * The feed position a database file stands at as saved: the `clock` row's, or the largest row's
 * when that is further (the position never goes backwards, even when GC removed the newest rows).
 */
export function savedFeedPosition(sql: Statements): number {
  return Math.max(sql.readClock.get()!.seq, sql.maxSeq.get()?.seq ?? 0);
}

/**
 * The random id of this file's lineage (`meta.feed_lineage`) that starts each of its feed ids,
 * made when missing. It starts with a letter: `meta.value` has numeric affinity, and an id of
 * digits only would be stored as a number.
 */
function lineageOf(db: Database.Database): string {
  const read = () =>
    (db.prepare("SELECT value FROM meta WHERE key = 'feed_lineage'").get() as { value: unknown } | undefined)?.value;
  const stored = read();
  if (typeof stored === 'string') return stored;
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('feed_lineage', ?)").run(
    `l${randomUUID().replaceAll('-', '').slice(0, 16)}`,
  );
  return read() as string;
}

/**
 * The feeds a knowledge database file has had (the `feeds` table): one per open, each with the
 * feed positions it covered in this file. A peer's pull cursor names the feed it was given out
 * from; it is good only on a feed of this file, and no further than where that feed ended.
 *
 * That is how a file that came back older than what its peers pulled is told apart: a copy
 * restored from a backup, or one whose last commits a power loss took (`synchronous = NORMAL`),
 * gives the positions after its end again to new changes, but under a new feed id; the feed the
 * peers' cursors name either is not in it or ended here before their cursors.
 *
 * Only the newest {@link KEPT_FEEDS} feeds are kept (see {@link startFeed}). A cursor on an older,
 * forgotten one must not be taken for one of another database: that verdict (`replaced`) makes the
 * puller push its whole feed, bringing back what this node deleted and collected. So every feed
 * id starts with the file's lineage id, and a forgotten feed of the lineage counts as ended where
 * the newest forgotten one ended (`meta.feeds_forgotten_end`), which is no earlier than where it
 * ended: the cursor is then judged by its position, and by the GC watermark as any other
 * (`collected` when GC passed it). Every position up to there was given out by this file (or, for
 * a copy of it, by the file it was copied from, before the copy), so accepting it is right, with
 * one exception left: a copy restored from a backup and then opened more than {@link KEPT_FEEDS}
 * times has forgotten where it parted from the original, and accepts a cursor the original gave
 * out after the copy, up to that end.
 */
export class FeedHistory {
  readonly #endOf: Statement<[string], { end: number | null }>;
  readonly #forgottenEnd: Statement<[], { value: unknown }>;
  readonly #lineage: Statement<[], { value: unknown }>;

  constructor(db: Database.Database) {
    this.#endOf = prepare(db, 'SELECT end_seq AS end FROM feeds WHERE id = ?');
    this.#forgottenEnd = prepare(db, "SELECT value FROM meta WHERE key = 'feeds_forgotten_end'");
    this.#lineage = prepare(db, "SELECT value FROM meta WHERE key = 'feed_lineage'");
  }

  /**
   * Where feed `feedId` ended in this file: the last position given out under it (for a forgotten
   * feed of this file, at most where the newest forgotten one ended); null for the current feed
   * (it goes on); undefined when this file never had it.
   */
  endOf(feedId: string): number | null | undefined {
    const row = this.#endOf.get(feedId);
    if (row !== undefined) return row.end;
    const lineage = this.#lineage.get()?.value;
    if (typeof lineage !== 'string' || !feedId.startsWith(`${lineage}.`)) return undefined;
    const forgotten = this.#forgottenEnd.get()?.value;
    return typeof forgotten === 'number' ? forgotten : undefined;
  }
}

/**
 * Starts a new feed at position `seq` (where the file stands as opened): ends the current one
 * there, records the new one and forgets the feeds before the newest {@link KEPT_FEEDS} (but the
 * one a file of schema version 2 had, whose id has no lineage), in one transaction. Returns the
 * new feed's id.
 *
 * No sync to disk is needed: a power loss that takes this commit takes every later one too (the
 * WAL keeps a prefix), so the cursors given out under the new feed name a feed the file then lacks.
 */
export function startFeed(db: Database.Database, seq: number): string {
  let feedId = '';
  db.transaction(() => {
    const lineage = lineageOf(db);
    feedId = `${lineage}.${randomUUID()}`;
    db.prepare('UPDATE feeds SET end_seq = ? WHERE end_seq IS NULL').run(seq);
    db.prepare('INSERT INTO feeds (id, from_seq, end_seq) VALUES (?, ?, NULL)').run(feedId, seq);
    const old = `n <= (SELECT max(n) FROM feeds) - ${KEPT_FEEDS} AND substr(id, 1, length(@prefix)) = @prefix`;
    const prefix = `${lineage}.`;
    const forgotten = db.prepare(`SELECT max(end_seq) AS end FROM feeds WHERE ${old}`).get({ prefix }) as {
      end: number | null;
    };
    if (forgotten.end === null) return;
    db.prepare(`DELETE FROM feeds WHERE ${old}`).run({ prefix });
    db.prepare(
      `INSERT INTO meta (key, value) VALUES ('feeds_forgotten_end', @end)
       ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`,
    ).run({ end: forgotten.end });
  }).immediate();
  return feedId;
}

/**
 * Ends every feed this file had at position -1, the forgotten ones too, in one transaction: no
 * cursor given out under them is good any more (`resync_required`, `replaced`), so every peer
 * resyncs and pushes its whole feed to this node. For a file whose last commits a reboot may have
 * lost (`boot-mark.ts`): the positions they had will be given again, and what peers pushed into
 * them, acknowledged, is gone; a peer's push cursor would never send it again. Before
 * {@link startFeed}.
 */
export function voidEarlierFeeds(db: Database.Database): void {
  db.transaction(() => {
    db.prepare('UPDATE feeds SET end_seq = -1').run();
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('feeds_forgotten_end', -1)").run();
  }).immediate();
}
