import type { Db } from '../open';

/** A numbered schema change, applied once in its own transaction. */
export interface Migration {
  version: number;
  name: string;
  /** SQL run inside the migration's transaction. */
  up: string;
  /** Work SQL cannot express (e.g. binary columns), run after `up` in the same transaction. */
  fill?: (db: Db) => void;
}
