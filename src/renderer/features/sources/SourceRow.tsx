import type { KeyboardEvent } from 'react';
import type { SourceInfo } from '../../../contract/api';
import { useCase } from '../../app/workspace/use-workspace';
import { formatExaminerTime } from '../../shared/examiner-time';
import { formatBytes, formatCount, formatUtcShort, plural, shortHash } from '../../shared/format';
import type { SourceColumns } from '../devices/source-columns';
import { When } from '../records/When';
import type { PendingChange } from './SourceChangeDialog';
import { SourceWarnings } from './SourceWarnings';

interface Props {
  source: SourceInfo;
  columns: SourceColumns;
  columnCount: number;
  warningsOpen: boolean;
  onToggleWarnings: () => void;
  /** Escape inside the warnings folds them. */
  onFoldWarnings: (e: KeyboardEvent<HTMLElement>) => void;
  /** The device the source would move to, or null when the case has no other device. */
  target: number | null;
  onTarget: (deviceId: number) => void;
  onPending: (change: PendingChange) => void;
}

/** One imported source: its file, counts, warnings and the move and remove actions. */
export function SourceRow({
  source: s,
  columns,
  columnCount,
  warningsOpen,
  onToggleWarnings,
  onFoldWarnings,
  target,
  onTarget,
  onPending,
}: Props) {
  const { devices } = useCase();
  return (
    <>
      <tr data-testid="source-row" data-source-id={s.id}>
        <td title={s.path}>
          <div>{s.fileName}</div>
          <div className="muted small">
            {s.importer}@{s.importerVersion} · {formatBytes(s.size)} · imported{' '}
            {formatExaminerTime(s.importedAt)}
          </div>
          {/* The hash sits under the name so that the counts and the actions
              keep their place on a 1024 px window. */}
          <div className="small" data-testid="source-sha256">
            SHA-256{' '}
            <span className="mono nowrap" title={s.sha256}>
              {shortHash(s.sha256)}
            </span>
          </div>
        </td>
        <td className="num">{formatCount(s.counts.lines)}</td>
        {columns.report ? (
          <>
            <td className="num">{formatCount(s.counts.access)}</td>
            <td className="num">{formatCount(s.counts.network)}</td>
            <td className="num">
              {formatCount(s.counts.sessions)}
              {s.counts.openSessions > 0 ? (
                <div className="muted small nowrap">{formatCount(s.counts.openSessions)} open</div>
              ) : null}
            </td>
          </>
        ) : null}
        {columns.records ? <td className="num">{formatCount(s.counts.records)}</td> : null}
        {columns.report ? (
          <>
            <td className="num">{formatCount(s.duplicateLines)}</td>
            <td className="num">{formatCount(s.alreadyStored)}</td>
          </>
        ) : null}
        <td className="num">
          {s.warnings > 0 ? (
            <button
              type="button"
              className="btn-link"
              id={`source-warnings-toggle-${s.id}`}
              aria-expanded={warningsOpen}
              aria-controls={warningsOpen ? `source-warnings-${s.id}` : undefined}
              aria-label={`${plural(s.warnings, 'warning')} of ${s.fileName}`}
              data-testid="source-warnings-toggle"
              onKeyDown={warningsOpen ? onFoldWarnings : undefined}
              onClick={onToggleWarnings}
            >
              {formatCount(s.warnings)}
            </button>
          ) : (
            '0'
          )}
        </td>
        <td className="small">
          <div>
            <When text={s.dataFrom !== null ? formatUtcShort(s.dataFrom) : '—'} />
          </div>
          <div>
            <When text={s.dataTo !== null ? formatUtcShort(s.dataTo) : '—'} />
          </div>
        </td>
        <td>
          <div className="row row-tight">
            {devices.length > 1 && target !== null ? (
              <>
                <select
                  className="input input-small"
                  aria-label={`Move ${s.fileName} to device`}
                  value={target}
                  onChange={(e) => onTarget(Number(e.target.value))}
                >
                  {devices
                    .filter((x) => x.id !== s.deviceId)
                    .map((x) => (
                      <option key={x.id} value={x.id}>
                        {x.label}
                      </option>
                    ))}
                </select>
                <button
                  type="button"
                  className="btn btn-small"
                  data-testid="source-move"
                  onClick={() => onPending({ kind: 'move', source: s, to: target })}
                >
                  Move
                </button>
              </>
            ) : null}
            <button
              type="button"
              className="btn btn-small btn-danger-quiet"
              data-testid="source-remove"
              onClick={() => onPending({ kind: 'remove', source: s })}
            >
              Remove
            </button>
          </div>
        </td>
      </tr>
      {warningsOpen ? (
        <tr id={`source-warnings-${s.id}`} onKeyDown={onFoldWarnings}>
          <td colSpan={columnCount}>
            <SourceWarnings sourceId={s.id} fileName={s.fileName} counted={s.warnings} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
