import Database from 'better-sqlite3';

// Synthetic PowerLog databases for tests, with the table shapes of a real iOS 15 PowerLog.

/** CREATE TABLE statements of the tables the reader uses, as iOS 15 PowerLog declares them. */
export const POWERLOG_SCHEMA: Readonly<Record<string, string>> = {
  PLStorageOperator_EventForward_TimeOffset:
    "CREATE TABLE 'PLStorageOperator_EventForward_TimeOffset' ('ID' INTEGER PRIMARY KEY AUTOINCREMENT, 'timestamp' REAL, 'baseband' REAL, 'kernel' REAL, 'system' REAL)",
  PLSpringBoardAgent_EventForward_SBLock:
    "CREATE TABLE 'PLSpringBoardAgent_EventForward_SBLock' ('ID' INTEGER PRIMARY KEY AUTOINCREMENT, 'timestamp' REAL, 'Locked' INTEGER)",
  PLSpringBoardAgent_EventForward_SBBlank:
    "CREATE TABLE 'PLSpringBoardAgent_EventForward_SBBlank' ('ID' INTEGER PRIMARY KEY AUTOINCREMENT, 'timestamp' REAL, 'Blanked' INTEGER)",
  PLScreenStateAgent_EventForward_ScreenState:
    "CREATE TABLE 'PLScreenStateAgent_EventForward_ScreenState' ('ID' INTEGER PRIMARY KEY AUTOINCREMENT, 'timestamp' REAL, 'AppRole' INTEGER, 'Display' INTEGER, 'Level' REAL, 'Orientation' INTEGER, 'ScreenWeight' REAL, 'bundleID' TEXT)",
  PLScreenStateAgent_EventPoint_BacklightEvent:
    "CREATE TABLE 'PLScreenStateAgent_EventPoint_BacklightEvent' ('ID' INTEGER PRIMARY KEY AUTOINCREMENT, 'timestamp' REAL, 'BacklightLevel' INTEGER, 'TransitionReason' INTEGER)",
  PLLocationAgent_EventForward_ClientStatus:
    "CREATE TABLE 'PLLocationAgent_EventForward_ClientStatus' ('ID' INTEGER PRIMARY KEY AUTOINCREMENT, 'timestamp' REAL, 'timestampLogged' REAL, 'BundleId' TEXT, 'Client' TEXT, 'Executable' TEXT, 'InUseLevel' INTEGER, 'LocationDesiredAccuracy' REAL, 'LocationDistanceFilter' REAL, 'Type' TEXT, 'timestampEnd' REAL)",
  PLCameraAgent_EventForward_Camera:
    "CREATE TABLE 'PLCameraAgent_EventForward_Camera' ('ID' INTEGER PRIMARY KEY AUTOINCREMENT, 'timestamp' REAL, 'BundleId' TEXT, 'CameraType' INTEGER, 'State' INTEGER)",
  PLApplicationAgent_EventForward_Application:
    "CREATE TABLE 'PLApplicationAgent_EventForward_Application' ('ID' INTEGER PRIMARY KEY AUTOINCREMENT, 'timestamp' REAL, 'Identifier' TEXT, 'pid' INTEGER, 'State' INTEGER, 'Reason' INTEGER)",
};

/** Rows per table: column name to value. */
export type SyntheticRows = Record<string, readonly Record<string, unknown>[]>;

/**
 * Builds a PowerLog database in memory with the given tables (created with the real schema
 * unless `schema` overrides it) and rows, and returns its bytes.
 */
export function buildPowerLog(rows: SyntheticRows, schema: Record<string, string> = {}): Buffer {
  const db = new Database(':memory:');
  try {
    for (const table of Object.keys(rows)) {
      db.exec(
        schema[table] ?? POWERLOG_SCHEMA[table] ?? `CREATE TABLE "${table}" (timestamp REAL)`,
      );
      for (const row of rows[table]!) {
        const cols = Object.keys(row);
        db.prepare(
          `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
        ).run(...cols.map((c) => row[c]));
      }
    }
    return db.serialize();
  } finally {
    db.close();
  }
}
