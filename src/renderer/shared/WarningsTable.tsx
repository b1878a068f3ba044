import { useId, useState, type ReactNode } from 'react';
import type { ImportWarning } from '../../contract/warnings';
import { formatCount } from './format';
import { shownWarnings, warningWhere, WARNING_ROWS } from './warnings-table';
import './warnings-table.css';

interface Props {
  warnings: readonly ImportWarning[];
  /** Names the table for assistive technology (`Warnings of notes.txt`). */
  label: string;
  /** Rows shown before the user asks for all. */
  limit?: number;
  testId?: string;
  rowTestId?: string;
  /** A sentence under the table, e.g. that more warnings were counted than listed. */
  footnote?: ReactNode;
}

/**
 * The warnings of an import or of a stored source: code, where (file and line) and message, the
 * first `limit` rows with a "Show all N" button that a keyboard reaches like any other.
 */
export function WarningsTable({
  warnings,
  label,
  limit = WARNING_ROWS,
  testId,
  rowTestId,
  footnote,
}: Props) {
  const [all, setAll] = useState(false);
  const tableId = useId();
  const { rows, hidden } = shownWarnings(warnings, limit, all);
  const more = warnings.length > limit;
  return (
    <div className="warnings-table">
      <table
        id={tableId}
        className="table table-compact"
        aria-label={label}
        data-testid={testId}
        data-shown={rows.length}
      >
        <thead>
          <tr>
            <th scope="col" className="warnings-code">
              Code
            </th>
            <th scope="col" className="warnings-where">
              Where
            </th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((w, i) => (
            <tr key={`${w.locator}-${i}`} data-testid={rowTestId}>
              <td className="mono warnings-code">{w.code}</td>
              <td className="mono warnings-where">{warningWhere(w)}</td>
              <td>{w.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {more ? (
        <p className="small warnings-table-more">
          <span className="muted" data-testid="warnings-shown">
            {hidden > 0
              ? `Showing the first ${formatCount(rows.length)} of ${formatCount(warnings.length)}.`
              : `Showing all ${formatCount(warnings.length)}.`}
          </span>
          <button
            type="button"
            className="btn-link"
            aria-controls={tableId}
            aria-expanded={all}
            data-testid="warnings-show-all"
            onClick={() => setAll((a) => !a)}
          >
            {all
              ? `Show the first ${formatCount(limit)}`
              : `Show all ${formatCount(warnings.length)}`}
          </button>
        </p>
      ) : null}
      {footnote ? <p className="muted small">{footnote}</p> : null}
    </div>
  );
}
