import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RecentCase } from '../../contract/api';

const MAX_RECENT = 20;

/** The list of recently opened cases, kept as JSON in the user's data folder. */
export class RecentCases {
  private readonly file: string;

  constructor(private readonly dir: string) {
    this.file = join(dir, 'recent-cases.json');
  }

  private read(): { path: string; name: string; openedAt: number }[] {
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      if (!Array.isArray(data)) return [];
      return data.filter(
        (d): d is { path: string; name: string; openedAt: number } =>
          typeof d === 'object' && d !== null && typeof (d as { path?: unknown }).path === 'string',
      );
    } catch {
      return [];
    }
  }

  private write(list: { path: string; name: string; openedAt: number }[]): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(list, null, 2));
    renameSync(tmp, this.file);
  }

  /** Newest first, with whether each file still exists. */
  list(): RecentCase[] {
    return this.read().map((r) => ({ ...r, exists: existsSync(r.path) }));
  }

  touch(path: string, name?: string): void {
    const list = this.read().filter((r) => r.path !== path);
    list.unshift({ path, name: name ?? basename(path), openedAt: Date.now() });
    this.write(list.slice(0, MAX_RECENT));
  }

  forget(path: string): void {
    this.write(this.read().filter((r) => r.path !== path));
  }
}
