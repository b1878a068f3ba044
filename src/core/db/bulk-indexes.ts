// A source that adds many sessions to a case that holds few is stored faster without some
// indexes of `access_sessions`: a row inserted into an index at a scattered place reads and
// writes pages of its own once the index outgrows the page cache, whereas an index created once
// the rows are in is built by one sort. They are dropped inside the source's transaction and
// created again before it commits, so a reader never sees the case without them, and a rollback
// (refusal, cancel, error) restores them with the rest.
import type { Db } from './open';

/**
 * When a source drops indexes: once it has added `minRows` rows and at least `ratio` rows per row
 * the table held before it (rebuilding sorts every row, the old ones included, so a source small
 * beside the case keeps them all). The indexes on the sessions' start are dropped only when also
 * at least the `scattered` share of the new rows started more than a day before the latest start
 * written before them: rows that arrive about in time order (an App Privacy Report, a capture
 * dumped in time order) are appended at their end, which costs less than sorting them again,
 * while rows that go back in time are inserted among the ones held, and once those indexes
 * outgrow the page cache each such insert reads and writes pages of its own. Measured on 495,000
 * App Privacy Report sessions replayed into a case: in random time order 26–29 s of CPU with
 * those indexes and 12–15 s with them dropped and built again; in time order 5.3–5.7 s either
 * way. Read when a source starts; tests lower them.
 */
export const BULK_LOAD = { minRows: 20_000, ratio: 1, scattered: 0.05 };

/**
 * The indexes of `access_sessions` that no statement run while a source is stored reads: only
 * those may be missing until its commit. The UNIQUE key (rows are looked up by it), the app
 * index (session stats recount a cell by it) and the group index (app-state rollups recount
 * their day cells by it) stay. `unordered` indexes are keyed by what does not follow time (the
 * minute of the day), so rows reach them at scattered places in any order (the minute index
 * alone took 1.4–1.7 s of the 6–7 s of CPU the 495,000 time-ordered sessions took to insert);
 * `byStart` indexes begin with the session's start.
 */
export const BULK_DROPPED_INDEXES = {
  unordered: ['access_sessions_minute'],
  byStart: ['access_sessions_anchor', 'access_sessions_events', 'access_sessions_open'],
} as const;

/** The page cache (KiB, as `cache_size` takes a negative value) while dropped indexes are built. */
const RESTORE_CACHE = -8192;

interface IndexDefinition {
  name: string;
  sql: string;
}

/**
 * Indexes of one table during one transaction: `consider` drops them once the rows added
 * outweigh the rows already there, and `restore` creates them again from the definitions the
 * case itself holds (so they are the ones its migrations made, whatever their version).
 */
export class BulkIndexes {
  private readonly dropped: IndexDefinition[] = [];
  private unorderedDone = false;
  private byStartDone = false;
  private existing: number | null = null;

  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly names: { unordered: readonly string[]; byStart: readonly string[] },
    private readonly minRows = BULK_LOAD.minRows,
    private readonly ratio = BULK_LOAD.ratio,
    private readonly scatteredShare = BULK_LOAD.scattered,
  ) {}

  /** Whether indexes are dropped (and must be restored before the transaction commits). */
  get active(): boolean {
    return this.dropped.length > 0;
  }

  /**
   * Drops indexes when `added` new rows outweigh the rows the table held before: the unordered
   * ones at once, those on the start once enough of the new rows (`scattered`) came out of time
   * order.
   */
  consider(added: number, scattered: number): void {
    if (this.byStartDone || added < this.minRows) return;
    if (this.existing === null) {
      // Counted once, when the source first reaches the floor: rows it added are not the case's.
      const total = (
        this.db.prepare(`SELECT COUNT(*) AS n FROM ${this.table}`).get() as { n: number }
      ).n;
      this.existing = Math.max(0, total - added);
    }
    if (added < this.existing * this.ratio) return;
    if (!this.unorderedDone) {
      this.unorderedDone = true;
      this.drop(this.names.unordered);
    }
    if (scattered >= added * this.scatteredShare) {
      this.byStartDone = true;
      this.drop(this.names.byStart);
    }
  }

  private drop(names: readonly string[]): void {
    const wanted = new Set(names);
    // Only an index a migration wrote has SQL text (a constraint's own index has none).
    const defs = (
      this.db
        .prepare(
          `SELECT name, sql FROM sqlite_schema
           WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`,
        )
        .all(this.table) as IndexDefinition[]
    ).filter((d) => wanted.has(d.name));
    for (const d of defs) {
      this.db.exec(`DROP INDEX "${d.name.replaceAll('"', '""')}"`);
      this.dropped.push(d);
    }
  }

  /** Creates the dropped indexes again; call inside the transaction, before it commits. */
  restore(): void {
    if (this.dropped.length === 0) return;
    // SQLite sorts in memory up to the page cache's size before it spills to temporary files:
    // a smaller cache while the indexes are built keeps the import's peak memory where it was.
    const cache = this.db.pragma('cache_size', { simple: true }) as number;
    this.db.pragma(`cache_size = ${RESTORE_CACHE}`);
    try {
      for (const d of this.dropped) this.db.exec(d.sql);
    } finally {
      this.db.pragma(`cache_size = ${cache}`);
    }
    this.dropped.length = 0;
  }
}
