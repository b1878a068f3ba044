import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeBlock, encodeBlock, LineReader, LineStore } from './line-store';
import { migrate, type Db } from './open';

let db: Db;
let source: number;

beforeEach(() => {
  db = new Database(':memory:');
  migrate(db);
  const device = db
    .prepare("INSERT INTO devices (label, platform, created_at) VALUES ('P', 'ios', 1)")
    .run().lastInsertRowid;
  source = Number(
    db
      .prepare(
        `INSERT INTO sources (device_id, importer_id, importer_version, original_path, file_name, size, sha256, imported_at)
         VALUES (?, 'x', '1', '/p', 'f', 1, 'h', 1)`,
      )
      .run(device).lastInsertRowid,
  );
});
afterEach(() => db.close());

const blocks = (): { first: number; last: number; lines: number }[] =>
  db
    .prepare(
      'SELECT first_line AS first, last_line AS last, lines FROM source_line_blocks ORDER BY first_line',
    )
    .all() as { first: number; last: number; lines: number }[];

describe('LineStore', () => {
  it('keeps lines in order, and gives them back before and after they are stored', () => {
    const store = new LineStore(db, source);
    expect(store.hold(3, 'three')).toBe(true);
    expect(store.hold(7, 'seven\twith a tab\r')).toBe(true);
    expect(store.get(source, 3)).toBe('three');
    expect(store.get(source, 5)).toBeNull();
    expect(blocks()).toEqual([]);
    store.finish();
    expect(blocks()).toEqual([{ first: 3, last: 7, lines: 2 }]);
    const reader = new LineReader(db);
    expect(reader.get(source, 7)).toBe('seven\twith a tab\r');
    expect(reader.get(source, 3)).toBe('three');
    expect(reader.get(source, 4)).toBeNull();
    expect(reader.get(source, 8)).toBeNull();
    expect(reader.get(source + 1, 3)).toBeNull();
  });

  it('leaves to the row a line out of order, repeated with other text, with a line feed or a lone surrogate', () => {
    const store = new LineStore(db, source);
    expect(store.hold(10, 'ten')).toBe(true);
    expect(store.hold(10, 'ten')).toBe(true);
    expect(store.hold(10, 'TEN')).toBe(false);
    expect(store.hold(9, 'nine')).toBe(false);
    expect(store.hold(11, 'a\nb')).toBe(false);
    expect(store.hold(12, 'bad \uD800 half')).toBe(false);
    expect(store.hold(13, 'pair 😀 fine')).toBe(true);
    expect(store.hold(Number.MAX_SAFE_INTEGER + 2, 'huge')).toBe(false);
    store.finish();
    const reader = new LineReader(db);
    expect([9, 10, 11, 12, 13].map((n) => reader.get(source, n))).toEqual([
      null,
      'ten',
      null,
      null,
      'pair 😀 fine',
    ]);
  });

  it('stores blocks of about 64 KiB whose ranges do not overlap', () => {
    const store = new LineStore(db, source);
    const text = (n: number) => `{"line":${n},"pad":"${'x'.repeat(200)}"}`;
    for (let n = 1; n <= 2000; n += 1) expect(store.hold(n * 2, text(n * 2))).toBe(true);
    // A line gathered but not stored yet, and one in a stored block, read alike.
    expect(store.get(source, 4000)).toBe(text(4000));
    expect(store.get(source, 2)).toBe(text(2));
    store.finish();
    const b = blocks();
    expect(b.length).toBeGreaterThan(4);
    for (let i = 1; i < b.length; i += 1) expect(b[i]!.first).toBeGreaterThan(b[i - 1]!.last);
    expect(b.reduce((s, x) => s + x.lines, 0)).toBe(2000);
    const reader = new LineReader(db);
    for (let n = 1; n <= 4001; n += 1) expect(reader.get(source, n)).toBe(n % 2 ? null : text(n));
    expect(store.bytesStored).toBeLessThan(store.bytesHeld / 5);
  });

  it('compresses a full block in the background, reads its lines meanwhile, and stores every block in line order with the body encodeBlock gives', async () => {
    const store = new LineStore(db, source);
    const text = (n: number) => `{"line":${n},"pad":"${'y'.repeat(300)}"}`;
    let n = 1;
    // Up to the first line of a second block: the first is handed over, not stored yet.
    while (blocks().length === 0 && n <= 250) store.hold(n, text(n++));
    expect(blocks()).toEqual([]);
    expect(store.get(source, 1)).toBe(text(1));
    expect(store.get(source, n - 1)).toBe(text(n - 1));
    // Turns of the event loop between blocks, as between the record batches of an import.
    for (; n <= 2000; n += 1) {
      store.hold(n, text(n));
      if (n % 100 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(store.get(source, 2)).toBe(text(2));
    store.finish();
    const rows = db
      .prepare('SELECT first_line AS first, body FROM source_line_blocks ORDER BY id')
      .all() as { first: number; body: Buffer }[];
    expect(rows.length).toBeGreaterThan(5);
    let next = 1;
    for (const r of rows) {
      const lines = [...decodeBlock(r.body)];
      expect(r.first).toBe(next);
      expect(lines.map(([k]) => k)).toEqual(lines.map((_, i) => next + i));
      expect(r.body.equals(encodeBlock(lines))).toBe(true);
      next += lines.length;
    }
    expect(next).toBe(2001);
  });

  it('holds at most a bounded number of blocks awaiting compression when the event loop never turns', () => {
    const store = new LineStore(db, source);
    const text = (n: number) => `${n}:${'z'.repeat(1000)}`;
    // About 100 blocks, read without a pause: the background never gets to finish one.
    for (let n = 1; n <= 6500; n += 1) store.hold(n, text(n));
    expect(blocks().length).toBeGreaterThanOrEqual(100 - 65);
    store.finish();
    const reader = new LineReader(db);
    for (let n = 1; n <= 6500; n += 97) expect(reader.get(source, n)).toBe(text(n));
    expect(blocks().reduce((s, b) => s + b.lines, 0)).toBe(6500);
  });

  it('waits, when settled between batches, until all but the last few blocks are compressed, and stores those in order', async () => {
    const store = new LineStore(db, source);
    const text = (n: number) => `${n}:${'w'.repeat(1000)}`;
    // 19 full blocks handed over in one batch: none is stored before the caller waits.
    for (let n = 1; n <= 1300; n += 1) store.hold(n, text(n));
    expect(blocks()).toEqual([]);
    await store.settle();
    // Of the 19 blocks, at most the last 4 are left being compressed; the rest are stored.
    const stored = blocks();
    expect(stored.length).toBeGreaterThanOrEqual(15);
    for (let i = 1; i < stored.length; i += 1)
      expect(stored[i]!.first).toBe(stored[i - 1]!.last + 1);
    expect(stored[0]!.first).toBe(1);
    store.finish();
    expect(blocks().reduce((s, b) => s + b.lines, 0)).toBe(1300);
  });

  it('reads a damaged block as missing lines, never as other text', () => {
    const store = new LineStore(db, source);
    store.hold(1, 'one');
    store.finish();
    db.prepare("UPDATE source_line_blocks SET body = x'00ff00ff'").run();
    expect(new LineReader(db).get(source, 1)).toBeNull();
  });
});

describe('block bodies', () => {
  it('are raw DEFLATE of one "<line>\\t<text>\\n" entry per line', () => {
    const body = encodeBlock([
      [1, 'a'],
      [5, 'b\tc'],
    ]);
    expect(decodeBlock(body)).toEqual(
      new Map([
        [1, 'a'],
        [5, 'b\tc'],
      ]),
    );
  });
});
