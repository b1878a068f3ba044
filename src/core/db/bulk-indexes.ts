// A source that adds many sessions to a case that holds few is stored faster without some
// indexes of `access_sessions`: each new row would otherwise be inserted at a random place in
// every one of them, whereas an index created once the rows are in is built by one sort. They are
// dropped inside the source's transaction and created again before it commits, so a reader never
// sees the case without them, and a rollback (refusal, cancel, error) restores them with the rest.
import type { Db } from './open';

/**
 * When a source drops the indexes: once it has added `minRows` rows, at least `ratio` rows per
 * row the table held before it (rebuilding sorts every row, the old ones included, so a source
 * small beside the case keeps them), and when at least the `scattered` share of its rows started
 * more than a day before the row written just before them. Rows that arrive about in time order
 * (an App Privacy Report, a capture dumped in time order) are appended at the end of the indexes
 * on their start, which costs less than sorting them again; rows that jump about in time land
 * each on a page of its own, and once those indexes outgrow the page cache every insert reads
 * and writes pages (measured: 495,000 sessions in random time order took 26–29 s of CPU with the
 * indexes and 12–15 s with them dropped and built again; in time order, 5.3–5.7 s either way).
 * Read when a source starts; tests lower them.
 */
export const BULK_LOAD = { minRows: 20_000, ratio: 1, scattered: 0.05 };

/**
 * The indexes of `access_sessions` that no statement run while a source is stored reads: only
 * those may be missing until its commit. The UNIQUE key (rows are looked up by it), the app
 * index (session stats recount a cell by it) and the group index (app-state rollups recount
 * their day cells by it) stay.
 */
export const BULK_DROPPED_INDEXES = [
  'access_sessions_anchor',
  'access_sessions_events',
  'access_sessions_open',
  'access_sessions_places',
] as const;

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
  private dropped: IndexDefinition[] | null = null;
  private existing: number | null = null;

  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly names: readonly string[],
    private readonly minRows = BULK_LOAD.minRows,
    private readonly ratio = BULK_LOAD.ratio,
    private readonly scatteredShare = BULK_LOAD.scattered,
  ) {}

  /** Whether the indexes are dropped (and must be restored before the transaction commits). */
  get active(): boolean {
    return this.dropped !== null;
  }

  /**
   * Drops the indexes when `added` new rows outweigh the rows the table held before and enough
   * of them (`scattered`) arrived out of time order.
   */
  consider(added: number, scattered: number): void {
    if (this.dropped !== null || added < this.minRows) return;
    if (scattered < added * this.scatteredShare) return;
    if (this.existing === null) {
      // Counted once, when the source first reaches the floor: rows it added are not the case's.
      const total = (
        this.db.prepare(`SELECT COUNT(*) AS n FROM ${this.table}`).get() as { n: number }
      ).n;
      this.existing = Math.max(0, total - added);
    }
    if (added < this.existing * this.ratio) return;
    const wanted = new Set(this.names);
    // Only an index a migration wrote has SQL text (a constraint's own index has none).
    const defs = (
      this.db
        .prepare(
          `SELECT name, sql FROM sqlite_schema
           WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`,
        )
        .all(this.table) as IndexDefinition[]
    ).filter((d) => wanted.has(d.name));
    for (const d of defs) this.db.exec(`DROP INDEX "${d.name.replaceAll('"', '""')}"`);
    this.dropped = defs;
  }

  /** Creates the dropped indexes again; call inside the transaction, before it commits. */
  restore(): void {
    const defs = this.dropped;
    if (defs === null) return;
    for (const d of defs) this.db.exec(d.sql);
    this.dropped = null;
  }
}
