import { ExportDialog } from '../../features/export/ExportDialog';
import { ImportDialog } from '../../features/import/ImportDialog';
import { useWorkspaceActions, useWorkspaceSlice } from './use-workspace';

/** The import and export dialogs of the workspace, when open. */
export function WorkspaceDialogs() {
  const importPaths = useWorkspaceSlice('importPaths');
  const exportOpen = useWorkspaceSlice('exportOpen');
  const { closeImport, closeExport } = useWorkspaceActions();
  return (
    <>
      {importPaths !== null ? (
        <ImportDialog
          key={importPaths.join('\n')}
          initialPaths={importPaths}
          onClose={closeImport}
        />
      ) : null}
      {exportOpen ? <ExportDialog onClose={closeExport} /> : null}
    </>
  );
}
