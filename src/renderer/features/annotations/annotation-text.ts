import type { AuditEntry } from '../../../contract/api';
import type { Annotation } from '../../../contract/findings';

/** Every tag in use across the annotations, unique and sorted. */
export function collectTags(annotations: readonly Annotation[]): string[] {
  const tags = new Set<string>();
  for (const a of annotations) for (const t of a.tags) tags.add(t);
  return [...tags].sort((a, b) => a.localeCompare(b));
}

/** The tags typed into the tag box: split on commas, trimmed, unique, at most 100 characters each. */
export function parseTagInput(text: string): string[] {
  const tags = new Set<string>();
  for (const part of text.split(',')) {
    const t = part.trim();
    if (t !== '' && t.length <= 100) tags.add(t);
  }
  return [...tags];
}

function isAnnotationLike(v: unknown): v is Pick<Annotation, 'star' | 'tags' | 'note'> {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { star?: unknown }).star === 'boolean' &&
    Array.isArray((v as { tags?: unknown }).tags)
  );
}

const EMPTY = { star: false, tags: [] as string[], note: null as string | null };

/** What an annotation change did, in a few words: star, tags added and removed, note. */
export function describeAnnotationChange(details: Record<string, unknown>): string {
  const before = isAnnotationLike(details.before) ? details.before : EMPTY;
  const after = isAnnotationLike(details.after) ? details.after : EMPTY;
  const parts: string[] = [];
  if (before.star !== after.star) parts.push(after.star ? 'starred' : 'unstarred');
  const added = after.tags.filter((t) => !before.tags.includes(t));
  const removed = before.tags.filter((t) => !after.tags.includes(t));
  if (added.length > 0) parts.push(`tagged ${added.join(', ')}`);
  if (removed.length > 0) parts.push(`untagged ${removed.join(', ')}`);
  if ((before.note ?? null) !== (after.note ?? null)) {
    parts.push(
      after.note === null ? 'note cleared' : before.note === null ? 'note added' : 'note edited',
    );
  }
  const target = typeof details.target === 'string' ? details.target : '?';
  return `${target}: ${parts.length > 0 ? parts.join('; ') : 'no change'}`;
}

const MAX_SUMMARY = 160;

function valueText(v: unknown): string {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.length}]`;
  return '{…}';
}

/** One line summarising an audit entry's details, cut to a readable length. */
export function summarizeAuditEntry(entry: Pick<AuditEntry, 'action' | 'details'>): string {
  const text =
    entry.action === 'annotation'
      ? describeAnnotationChange(entry.details)
      : Object.entries(entry.details)
          .map(([k, v]) => `${k}: ${valueText(v)}`)
          .join(', ');
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}
