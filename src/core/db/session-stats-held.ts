// The session stats' changes of a long write, held encoded between its partial flushes and
// applied once at its end.
import type { Db } from './open';
import {
  applySessionStats,
  eachRowChange,
  StatsWriter,
  type CellChange,
  type StatsDelta,
} from './session-stats-apply';
import { ByteReader, ByteWriter, EMPTY, unzigzag, zigzag } from './session-stats-codec';

/** Ascending whole numbers: their count, the first zigzag-mapped, then the differences. */
function writeAscending(w: ByteWriter, values: Float64Array): void {
  w.uint(values.length);
  if (values.length === 0) return;
  w.uint(zigzag(values[0]!));
  for (let i = 1; i < values.length; i += 1) w.uint(values[i]! - values[i - 1]!);
}

function readAscending(r: ByteReader): Float64Array {
  const n = r.uint();
  if (n === 0) return EMPTY;
  const out = new Float64Array(n);
  let v = unzigzag(r.uint());
  out[0] = v;
  for (let i = 1; i < n; i += 1) {
    v += r.uint();
    out[i] = v;
  }
  return out;
}

/** The changes held for one stored row, each part encoded (see `HeldStatsChanges.hold`). */
interface HeldRow {
  level: number;
  deviceId: number;
  bucket: number;
  parts: Uint8Array[];
}

/**
 * The session stats' changes of a long write, held encoded between its partial flushes and
 * applied once at its end, so each stored row is read and written once per write. A row holds
 * every app of its device and bucket: applied at every partial flush, each flush read and wrote
 * again the cells of all the apps written before it, a cost that grew with the square of the
 * source. Held encoded, the changes take about the bytes the rows themselves take.
 */
export class HeldStatsChanges {
  private readonly rows = new Map<string, HeldRow>();
  private readonly categories: string[] = [];
  private readonly categoryIds = new Map<string, number>();

  /** Whether nothing is held. */
  get empty(): boolean {
    return this.rows.size === 0;
  }

  private categoryId(category: string): number {
    let id = this.categoryIds.get(category);
    if (id === undefined) {
      id = this.categories.length;
      this.categories.push(category);
      this.categoryIds.set(category, id);
    }
    return id;
  }

  /**
   * Holds the day cells' changes: per row, its cells' net changes as varints (app id, category
   * number, mask of the hours changed and their zigzag-mapped changes, background and known,
   * then the durations added and removed). The delta lists are reordered.
   */
  hold(deltas: Iterable<StatsDelta>): void {
    const days = [...deltas];
    eachRowChange(days, (level, deviceId, bucket, changes) => {
      const key = `${level}|${deviceId}|${bucket}`;
      let row = this.rows.get(key);
      if (!row) {
        row = { level, deviceId, bucket, parts: [] };
        this.rows.set(key, row);
      }
      let values = 0;
      for (const c of changes) values += c.added.length + c.removed.length;
      const w = new ByteWriter(16 + changes.length * 40 + values * 3);
      w.uint(changes.length);
      for (const c of changes) {
        w.uint(c.appId);
        w.uint(this.categoryId(c.category));
        let mask = 0;
        for (let h = 0; h < 24; h += 1) if (c.hours[h]! !== 0) mask |= 1 << h;
        w.uint(mask);
        for (let h = 0; h < 24; h += 1) if (c.hours[h]! !== 0) w.uint(zigzag(c.hours[h]!));
        w.uint(zigzag(c.background));
        w.uint(zigzag(c.known));
        writeAscending(w, c.added);
        writeAscending(w, c.removed);
      }
      row.parts.push(w.done().slice());
    });
  }

  /** The changes of a held part, decoded. */
  private decode(part: Uint8Array): CellChange[] {
    const r = new ByteReader(part);
    const out: CellChange[] = [];
    for (let n = r.uint(); n > 0; n -= 1) {
      const appId = r.uint();
      const category = this.categories[r.uint()]!;
      const mask = r.uint();
      const hours = new Array<number>(24);
      for (let h = 0; h < 24; h += 1) hours[h] = mask & (1 << h) ? unzigzag(r.uint()) : 0;
      const background = unzigzag(r.uint());
      const known = unzigzag(r.uint());
      const added = readAscending(r);
      const removed = readAscending(r);
      out.push({ appId, category, hours, background, known, added, removed });
    }
    return out;
  }

  /**
   * Applies what is held together with `deltas` (the last changes of the write), each row once,
   * and forgets what was held. The delta lists are reordered.
   */
  apply(db: Db, deltas: Iterable<StatsDelta>): void {
    if (this.empty) {
      applySessionStats(db, deltas);
      return;
    }
    const last = new Map<string, CellChange[]>();
    eachRowChange([...deltas], (level, deviceId, bucket, changes) => {
      const key = `${level}|${deviceId}|${bucket}`;
      last.set(key, changes);
      if (!this.rows.has(key)) this.rows.set(key, { level, deviceId, bucket, parts: [] });
    });
    const writer = new StatsWriter(db);
    for (const [key, row] of this.rows) {
      // The parts are applied in turn to the row held in memory, one part decoded at a time.
      let cells = writer.read(row.level, row.deviceId, row.bucket);
      for (const part of row.parts)
        cells = writer.merge(row.level, row.deviceId, row.bucket, cells, this.decode(part));
      row.parts.length = 0;
      const own = last.get(key);
      if (own) cells = writer.merge(row.level, row.deviceId, row.bucket, cells, own);
      writer.write(row.level, row.deviceId, row.bucket, cells);
    }
    this.rows.clear();
  }
}
