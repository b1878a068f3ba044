import { useId, useState } from 'react';
import type { ApiRawInput } from '../../../contract/api';
import type { Annotation } from '../../../contract/findings';
import type { AppErrorShape } from '../../../contract/result';
import { useApp } from '../../app/use-app';
import { useQuery } from '../../app/use-query';
import { ErrorBanner } from '../../shared/ErrorBanner';
import { formatExaminerTimeWithOffset } from '../../shared/examiner-time';
import { collectTags, parseTagInput } from './annotation-text';
import './annotations.css';

interface Props {
  /** The stable id of the record or finding (`s:…`, `p:…`, `f:…`). */
  target: string;
}

/**
 * The examiner's star, tags and note on one record or finding. Star and tags are saved at once;
 * the note is saved with its own button. Every change is written to the audit log by the core.
 */
export function AnnotationEditor({ target }: Props) {
  // Keyed by target: another record starts with a clean form.
  return <Editor key={target} target={target} />;
}

function Editor({ target }: Props) {
  const { client, invalidate } = useApp();
  const q = useQuery('listAnnotations', { targets: [target] });
  const all = useQuery('listAnnotations', {});
  const [latest, setLatest] = useState<Annotation | null>(null);
  const [tagText, setTagText] = useState('');
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const listId = useId();
  const noteId = useId();

  const stored = q.data?.find((a) => a.target === target) ?? null;
  const current = latest?.target === target ? latest : stored;
  const star = current?.star ?? false;
  const tags = current?.tags ?? [];
  const note = current?.note ?? null;
  const noteValue = draft ?? note ?? '';
  const noteDirty = draft !== null && (draft.trim() === '' ? null : draft) !== note;
  const known = collectTags(all.data ?? []).filter((t) => !tags.includes(t));

  const save = (change: Omit<ApiRawInput<'annotate'>, 'target'>, after?: () => void): void => {
    setBusy(true);
    void client.call('annotate', { target, ...change }).then((r) => {
      setBusy(false);
      if (!r.ok) {
        setError(r.error);
        return;
      }
      setError(null);
      setLatest(r.value);
      after?.();
      invalidate();
    });
  };

  const addTags = (): void => {
    const add = parseTagInput(tagText);
    if (add.length === 0) return;
    save({ addTags: add }, () => setTagText(''));
  };

  return (
    <section
      className="annotation-editor"
      data-testid="annotation-editor"
      data-target={target}
      // Named by its target: a finding's and a record's annotations can be on screen together.
      aria-label={`Examiner's annotation of ${target}`}
    >
      <h3>Annotation</h3>
      <ErrorBanner error={error ?? q.error} onDismiss={error ? () => setError(null) : undefined} />
      <div className="annotation-row">
        <button
          type="button"
          className={star ? 'btn btn-small star star-on' : 'btn btn-small star'}
          data-testid="annotation-star"
          aria-pressed={star}
          disabled={busy}
          onClick={() => save({ star: !star })}
        >
          <span aria-hidden="true">{star ? '★' : '☆'}</span> {star ? 'Starred' : 'Star'}
        </button>
      </div>

      <div className="annotation-tags" data-testid="annotation-tags">
        {tags.length === 0 ? <span className="muted small">No tags.</span> : null}
        {tags.map((t) => (
          <span key={t} className="tag-chip" data-testid="annotation-tag" data-tag={t}>
            {t}
            <button
              type="button"
              className="tag-chip-remove"
              aria-label={`Remove tag ${t}`}
              disabled={busy}
              onClick={() => save({ removeTags: [t] })}
            >
              ×
            </button>
          </span>
        ))}
      </div>
      <form
        className="row row-tight"
        onSubmit={(e) => {
          e.preventDefault();
          addTags();
        }}
      >
        <input
          className="input input-small"
          list={listId}
          aria-label="Add tags (comma separated)"
          placeholder="Add tag"
          data-testid="annotation-tag-input"
          value={tagText}
          maxLength={400}
          onChange={(e) => setTagText(e.target.value)}
        />
        <datalist id={listId}>
          {known.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <button
          type="submit"
          className="btn btn-small"
          data-testid="annotation-tag-add"
          disabled={busy || parseTagInput(tagText).length === 0}
        >
          Add
        </button>
      </form>

      <label htmlFor={noteId} className="annotation-note-label">
        Note
      </label>
      <textarea
        id={noteId}
        className="input annotation-note"
        data-testid="annotation-note"
        rows={3}
        maxLength={20_000}
        value={noteValue}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          // Ctrl/Cmd+Enter saves, as the Save button does.
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && noteDirty && !busy) {
            e.preventDefault();
            save({ note: draft?.trim() === '' ? null : draft }, () => setDraft(null));
          }
        }}
      />
      <div className="row row-tight">
        <button
          type="button"
          className="btn btn-small"
          data-testid="annotation-note-save"
          disabled={busy || !noteDirty}
          onClick={() => save({ note: draft?.trim() === '' ? null : draft }, () => setDraft(null))}
        >
          Save note
        </button>
        {noteDirty ? (
          <button
            type="button"
            className="btn btn-small"
            data-testid="annotation-note-discard"
            disabled={busy}
            onClick={() => setDraft(null)}
          >
            Discard
          </button>
        ) : null}
        {noteDirty ? <span className="muted small">Unsaved changes</span> : null}
      </div>
      {current ? (
        <p className="muted small" data-testid="annotation-updated">
          Last changed {formatExaminerTimeWithOffset(Date.parse(current.updatedAt))} · recorded in
          the audit log
        </p>
      ) : null}
    </section>
  );
}
