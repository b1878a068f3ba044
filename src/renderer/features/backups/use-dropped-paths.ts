import { useEffect, useEffectEvent, useState } from 'react';
import type { BackupInspection } from '../../../contract/api';
import { useApp } from '../../app/use-app';
import { splitDropped } from './backup-flow';

/**
 * Sorts paths handed to the import dialog (dropped on the window) into backup folders and
 * everything else by asking `inspectBackup` about each: a plain file, or a folder that is not a
 * backup, is refused by it and goes to the file import. `onSorted` runs once with the result.
 */
export function useDroppedPaths(
  paths: readonly string[],
  onSorted: (sorted: { backups: BackupInspection[]; files: string[] }) => void,
): { sorting: boolean } {
  const { client } = useApp();
  const [sorting, setSorting] = useState(paths.length > 0);
  const report = useEffectEvent(onSorted);
  const key = JSON.stringify(paths);

  useEffect(() => {
    const list = JSON.parse(key) as string[];
    if (list.length === 0) return;
    let live = true;
    void Promise.all(
      list.map(async (path) => {
        const r = await client.call('inspectBackup', { path });
        return [path, r.ok ? r.value : null] as const;
      }),
    ).then((answers) => {
      if (!live) return;
      setSorting(false);
      report(splitDropped(list, new Map(answers)));
    });
    return () => {
      live = false;
    };
  }, [client, key]);

  return { sorting };
}
