import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Annotation } from '../contract/findings';
import { AppError } from '../core/model/errors';
import { annotate, type AnnotateInput } from '../core/services/annotations';
import { openCaseForWrite } from './case-open';
import { parseCommandArgs, takeCasePath, UsageError } from './args';
import type { CommandContext } from './context';

export const ANNOTATE_OPTIONS = {
  star: { type: 'boolean' },
  unstar: { type: 'boolean' },
  tag: { type: 'string', multiple: true },
  untag: { type: 'string', multiple: true },
  note: { type: 'string' },
  'clear-note': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** The annotation with exactly the fields of the public `annotationSchema`, in its order. */
export function annotationRecord(a: Annotation): Annotation {
  return {
    target: a.target,
    kind: a.kind,
    star: a.star,
    tags: a.tags,
    note: a.note,
    updatedAt: a.updatedAt,
  };
}

/** The annotation in a few readable lines. */
export function formatAnnotation(a: Annotation): string {
  const lines = [
    `${a.target} (${a.kind})`,
    `  starred: ${a.star ? 'yes' : 'no'}`,
    `  tags:    ${a.tags.length > 0 ? a.tags.join(', ') : '-'}`,
    `  note:    ${a.note === null ? '-' : a.note.replace(/\n/g, '\n           ')}`,
  ];
  return lines.join('\n') + '\n';
}

function tagList(flag: string, values: string[] | undefined): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  const tags = values.map((t) => t.trim());
  if (tags.some((t) => t === '' || t.length > 100)) {
    throw new UsageError(`${flag} needs a tag of 1 to 100 characters.`);
  }
  return tags;
}

/**
 * `annotate <case> <recordId|findingId> [--star|--unstar] [--tag T]... [--untag T]...
 * [--note N|--clear-note] [--json]`: stars, tags or notes a record or a finding and prints the
 * annotation. Without a change flag it prints the current annotation. Recorded in the audit log.
 */
export async function runAnnotate(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, ANNOTATE_OPTIONS);
  const { casePath, rest } = takeCasePath('annotate', positionals);
  const [target, ...extra] = rest;
  if (target === undefined || target.trim() === '') {
    throw new UsageError('annotate needs a record or finding id, e.g. s:1:ABC or p:12.');
  }
  if (extra.length > 0) {
    throw new UsageError(`annotate takes one record id; unexpected: ${extra.join(' ')}`);
  }
  if (values.star && values.unstar) throw new UsageError('--star and --unstar exclude each other.');
  if (values.note !== undefined && values['clear-note']) {
    throw new UsageError('--note and --clear-note exclude each other.');
  }
  const input: AnnotateInput = { target: target.trim() };
  if (values.star) input.star = true;
  if (values.unstar) input.star = false;
  const addTags = tagList('--tag', values.tag);
  const removeTags = tagList('--untag', values.untag);
  if (addTags) input.addTags = addTags;
  if (removeTags) input.removeTags = removeTags;
  if (values.note !== undefined) input.note = values.note;
  if (values['clear-note']) input.note = null;

  const full = resolve(casePath);
  if (!existsSync(full)) {
    throw new AppError('NOT_FOUND', `No case file at ${full}. annotate never creates a case.`);
  }
  const session = openCaseForWrite(full);
  try {
    const annotation = annotationRecord(annotate(session.db, input));
    await ctx.out.write(
      values.json ? JSON.stringify(annotation, null, 2) + '\n' : formatAnnotation(annotation),
    );
    return 0;
  } finally {
    session.close();
  }
}
