import { refreshAppNames } from '../../catalog/app-names';
import type { Db } from '../open';

/** Finds or creates app rows of one device, caching ids for the life of the object. */
export class AppResolver {
  private readonly cache = new Map<string, number>();
  private readonly insert;
  private readonly select;

  constructor(
    private readonly db: Db,
    private readonly deviceId: number,
  ) {
    this.insert = db.prepare('INSERT OR IGNORE INTO apps (device_id, identifier) VALUES (?, ?)');
    this.select = db.prepare('SELECT id FROM apps WHERE device_id = ? AND identifier = ?');
  }

  /** The app id for an identifier exactly as the source wrote it. */
  idFor(identifier: string): number {
    const cached = this.cache.get(identifier);
    if (cached !== undefined) return cached;
    const created = this.insert.run(this.deviceId, identifier).changes > 0;
    const row = this.select.get(this.deviceId, identifier) as { id: number };
    // A new app gets its catalog name at once, so every view and export shows it.
    if (created) refreshAppNames(this.db, [row.id]);
    this.cache.set(identifier, row.id);
    return row.id;
  }
}
