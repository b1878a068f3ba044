import Database from 'better-sqlite3';

/**
 * Holds the write lock of the case at `path` on a connection of its own, so that no other
 * connection commits until it is released: readers that start their transactions meanwhile all
 * read the same state. Waits at most `waitMs` for a writer at work, then gives up (null).
 */
export function holdWrites(path: string, waitMs: number): (() => void) | null {
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true });
  } catch {
    return null;
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.round(waitMs))}`);
    db.exec('BEGIN IMMEDIATE');
  } catch {
    db.close();
    return null;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      db.exec('ROLLBACK');
    } finally {
      db.close();
    }
  };
}
