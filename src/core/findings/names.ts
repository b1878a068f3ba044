import type { Db } from '../db/open';
import type { SqlParam } from '../services/filter-sql';

/** A rule's own clauses, added to the filter's. */
export interface Clauses {
  clauses: string[];
  params: SqlParam[];
}

/** Device labels and app names of a case, read once per run. */
export interface Names {
  device(id: number): string;
  app(id: number): { identifier: string; displayName: string | null };
}

/** Reads the labels of the devices and the names of the apps (a few thousand rows at most). */
export function readNames(db: Db): Names {
  const devices = new Map(
    (db.prepare('SELECT id, label FROM devices').all() as { id: number; label: string }[]).map(
      (d) => [d.id, d.label],
    ),
  );
  const apps = new Map<number, { identifier: string; displayName: string | null }>();
  for (const a of db
    .prepare('SELECT id, identifier, display_name AS displayName FROM apps')
    .iterate() as Iterable<{ id: number; identifier: string; displayName: string | null }>)
    apps.set(a.id, { identifier: a.identifier, displayName: a.displayName });
  return {
    device: (id) => devices.get(id) ?? '',
    app: (id) => apps.get(id) ?? { identifier: '', displayName: null },
  };
}
