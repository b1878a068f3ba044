import { useQuery } from '../../app/use-query';
import { collectTags } from './annotation-text';
import { filterMarks, toggleTag, type FilterMarks } from './filter-marks';
import './annotations.css';

interface Props {
  marks: FilterMarks;
  onChange: (marks: FilterMarks) => void;
}

/** The filter's "Tags / Starred" group: only starred records, or only those with chosen tags. */
export function TagFilter({ marks, onChange }: Props) {
  const q = useQuery('listAnnotations', {});
  const chosen = marks.tags ?? [];
  // Tags chosen in a saved filter stay visible even when no annotation carries them any more.
  const tags = [...new Set([...collectTags(q.data ?? []), ...chosen])].sort((a, b) =>
    a.localeCompare(b),
  );
  return (
    <fieldset className="fieldset" data-testid="filter-marks">
      <legend>Tags / Starred</legend>
      <label className="check">
        <input
          type="checkbox"
          data-testid="filter-starred"
          checked={marks.starred === true}
          onChange={(e) => onChange(filterMarks({ ...marks, starred: e.target.checked }))}
        />
        <span>Starred only</span>
      </label>
      {tags.length === 0 ? (
        <p className="muted small filter-hint">No tags yet: tag records in their details panel.</p>
      ) : (
        <div
          className="annotation-tags"
          role="group"
          aria-label="Only records with any of these tags"
        >
          {tags.map((t) => {
            const on = chosen.includes(t);
            return (
              <span key={t} className="tag-chip">
                <button
                  type="button"
                  className="tag-chip-toggle"
                  data-testid="filter-tag"
                  data-tag={t}
                  aria-pressed={on}
                  onClick={() => onChange(toggleTag(marks, t, !on))}
                >
                  {on ? '✓ ' : ''}
                  {t}
                </button>
              </span>
            );
          })}
        </div>
      )}
    </fieldset>
  );
}
