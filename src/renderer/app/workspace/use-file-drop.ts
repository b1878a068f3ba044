import { useEffect, useEffectEvent, useState } from 'react';
import { useApp } from '../use-app';
import { useLatestImportControl, useWorkspaceActions } from './use-workspace';

/** Files dragged over the window: whether they are over it, and what a refused drop said. */
export interface FileDrop {
  dragging: boolean;
  notice: string | null;
  dismissNotice(): void;
}

/** Opens the import dialog with the files dropped on the window (the desktop app knows their paths). */
export function useFileDrop(): FileDrop {
  const { client } = useApp();
  // Read at the drop: the frame that owns the drop must not render on every progress event.
  const latestImport = useLatestImportControl();
  const { openImport } = useWorkspaceActions();
  const [dragging, setDragging] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const onDrop = useEffectEvent((e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    const paths = files.map((f) => client.pathForFile(f)).filter((p): p is string => p !== null);
    if (paths.length === 0) {
      setNotice(
        'Drag-and-drop of file paths needs the desktop app. In the browser, use Import → type the paths.',
      );
      return;
    }
    const importControl = latestImport.current;
    if (importControl.state.phase === 'starting' || importControl.state.phase === 'running') {
      setNotice('An import is running; drop the files again when it has finished.');
      return;
    }
    importControl.reset();
    openImport(paths);
  });

  useEffect(() => {
    const hasFiles = (e: DragEvent): boolean =>
      [...(e.dataTransfer?.types ?? [])].includes('Files');
    const over = (e: DragEvent): void => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent): void => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent): void => onDrop(e);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);

  return { dragging, notice, dismissNotice: () => setNotice(null) };
}
