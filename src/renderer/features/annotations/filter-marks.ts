import type { Filter } from '../../../contract/filter';

/** The annotation part of a filter: tags and the starred flag. */
export type FilterMarks = Pick<Filter, 'tags' | 'starred'>;

/** The filter's tags (unique, sorted) and `starred` (only when true); absent fields are left out. */
export function filterMarks(filter: FilterMarks): FilterMarks {
  const out: FilterMarks = {};
  const tags = [...new Set((filter.tags ?? []).map((t) => t.trim()).filter((t) => t !== ''))];
  if (tags.length > 0) out.tags = tags.sort((a, b) => a.localeCompare(b));
  if (filter.starred === true) out.starred = true;
  return out;
}

/** Adds or removes one tag of the filter's tag list. */
export function toggleTag(marks: FilterMarks, tag: string, on: boolean): FilterMarks {
  const rest = (marks.tags ?? []).filter((t) => t !== tag);
  return filterMarks({ ...marks, tags: on ? [...rest, tag] : rest });
}
