import { baseName } from './import-format';

interface Props {
  paths: readonly string[];
  onRemove: (path: string) => void;
}

/** The chosen files, each with a button that takes it off the list. */
export function PathList({ paths, onRemove }: Props) {
  if (paths.length === 0) return null;
  return (
    <ul className="path-list" data-testid="import-paths">
      {paths.map((p) => (
        <li key={p}>
          <span className="mono" title={p}>
            {p}
          </span>
          <button
            type="button"
            className="btn-icon"
            aria-label={`Remove ${baseName(p)}`}
            onClick={() => onRemove(p)}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
