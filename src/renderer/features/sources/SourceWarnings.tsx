import { useQuery } from '../../app/use-query';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { Spinner } from '../../shared/Spinner';

/** The import warnings of one source. */
export function SourceWarnings({ sourceId }: { sourceId: number }) {
  const q = useQuery('getSourceWarnings', { sourceId });
  if (q.error) return <ErrorBanner error={q.error} />;
  if (!q.data) return <Spinner />;
  if (q.data.length === 0) return <p className="muted small">No warnings.</p>;
  return (
    <table className="table table-compact" data-testid="source-warnings">
      <thead>
        <tr>
          <th scope="col">Code</th>
          <th scope="col">Where</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {q.data.map((w, i) => (
          <tr key={`${w.locator}-${i}`}>
            <td className="mono">{w.code}</td>
            <td className="mono nowrap">{w.locator}</td>
            <td>{w.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
