import { RecordDetails } from '../../features/records/RecordDetails';
import { SessionDetails } from '../../features/timeline/SessionDetails';
import { useSelection, useWorkspaceActions } from './use-workspace';

/** The details panel of the selected session or record, if any. */
export function DetailsHost() {
  const selection = useSelection();
  const { closeDetails } = useWorkspaceActions();
  if (selection?.kind === 'session')
    return <SessionDetails key={selection.id} id={selection.id} onClose={closeDetails} />;
  if (selection?.kind === 'record')
    return <RecordDetails key={selection.id} id={selection.id} onClose={closeDetails} />;
  return null;
}
