import { useQuery } from '../../app/use-query';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatCount } from '../../shared/format';
import { Spinner } from '../../shared/Spinner';
import { WarningsTable } from '../../shared/WarningsTable';

/**
 * The import warnings of one source. `counted` is how many the import counted: more than it stored
 * when a file had very many, and then the table says so.
 */
export function SourceWarnings({
  sourceId,
  fileName,
  counted,
}: {
  sourceId: number;
  fileName: string;
  counted: number;
}) {
  const q = useQuery('getSourceWarnings', { sourceId });
  if (q.error) return <ErrorBanner error={q.error} />;
  if (!q.data) return <Spinner />;
  if (q.data.length === 0) return <p className="muted small">No warnings.</p>;
  const stored = q.data.length;
  return (
    <WarningsTable
      warnings={q.data}
      label={`Warnings of ${fileName}`}
      testId="source-warnings"
      rowTestId="source-warning"
      footnote={
        counted > stored
          ? `The import counted ${formatCount(counted)} warnings for this file and kept the first ${formatCount(stored)}.`
          : undefined
      }
    />
  );
}
