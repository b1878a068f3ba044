import type { Category } from '../../../contract/categories';
import { categoryColor, categoryLabel, orderedCategories } from '../../shared/category-colors';

interface Props {
  categories: Category[];
  /** Shows the key of open sessions; off when only permission marks are on screen. */
  openKey?: boolean;
}

/** Colour key of the categories on screen, plus the open-session mark. */
export function CategoryLegend({ categories, openKey = true }: Props) {
  const shown = orderedCategories(categories);
  if (shown.length === 0) return null;
  return (
    <ul className="legend" aria-label="Legend">
      {shown.map((c) => (
        <li key={c}>
          <span className="swatch" style={{ background: categoryColor(c) }} aria-hidden="true" />
          {categoryLabel(c)}
        </li>
      ))}
      {openKey ? (
        <li>
          <span className="swatch swatch-open" aria-hidden="true" />
          open (end or begin unknown)
        </li>
      ) : null}
    </ul>
  );
}
