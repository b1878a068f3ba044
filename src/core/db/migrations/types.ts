/**
 * Tables derived from the stored records that the current code rebuilds after migrations: a
 * migration that creates or reshapes one names it instead of calling code that may change later.
 */
export type DerivedTable = 'session-rollup' | 'session-stats' | 'day-hours' | 'app-names';

/** A numbered schema change, applied once in its own transaction. */
export interface Migration {
  version: number;
  name: string;
  /**
   * What the migration does, in plain words, shown while a case is upgraded ("adding half-hour
   * columns to the timeline summary"); the name is shown when absent.
   */
  description?: string;
  /** SQL run inside the migration's transaction: literal text, never built by live code. */
  up: string;
  /** Derived tables to rebuild (with the current code) once every pending migration has run. */
  rebuilds?: readonly DerivedTable[];
}
