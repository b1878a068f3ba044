import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import type { BackupSummary } from '../../../contract/records';
import { examinerOffset } from '../../shared/examiner-time';
import { formatBytes } from '../../shared/format';
import {
  backupDateLabel,
  backupNotes,
  backupTitle,
  encryptionLabel,
  iosLabel,
  modelLabel,
} from './backup-format';
import { moveIndex } from './backup-flow';
import './backups.css';

interface Props {
  backups: BackupSummary[];
  selected: string | null;
  onSelect: (path: string) => void;
}

/** One backup as a list row: what phone, when, how big, encrypted or not, and any warning. */
function BackupRow({ backup: b, nowMs }: { backup: BackupSummary; nowMs: number }) {
  const notes = backupNotes(b);
  return (
    <>
      <div className="backup-row-head">
        <span className="backup-row-name" data-testid="backup-row-name">
          {backupTitle(b)}
        </span>
        <span className="muted">{modelLabel(b.productType, b.model)}</span>
        <span className="muted">· {iosLabel(b.iosVersion)}</span>
        <span
          className={`tag ${b.encrypted ? 'tag-warn' : 'tag-muted'}`}
          data-testid="backup-row-encryption"
        >
          {encryptionLabel(b.encrypted)}
        </span>
      </div>
      <div className="backup-row-meta small">
        <span data-testid="backup-row-date">
          {backupDateLabel(b.lastBackup, nowMs, examinerOffset)}
        </span>
        {b.sizeBytes !== null ? <span>{formatBytes(b.sizeBytes)}</span> : null}
        {b.udid ? (
          <span className="mono" title="UDID (masked)" data-testid="backup-row-udid">
            UDID {b.udid}
          </span>
        ) : null}
      </div>
      <div className="backup-row-path muted small mono" title={b.path}>
        {b.path}
      </div>
      {notes.map((n) => (
        <div
          key={n.text}
          className={`backup-row-note backup-row-note-${n.tone} small`}
          data-testid="backup-row-note"
        >
          {n.text}
        </div>
      ))}
    </>
  );
}

/**
 * The backups found, as a keyboard-navigable list: arrows, Home/End and Page keys move the
 * highlight, Enter or Space selects, a click selects.
 */
export function BackupList({ backups, selected, onSelect }: Props) {
  const id = useId();
  const [nowMs] = useState(() => Date.now());
  const [active, setActive] = useState(() =>
    Math.max(
      0,
      backups.findIndex((b) => b.path === selected),
    ),
  );
  const at = Math.min(active, backups.length - 1);
  const rowId = (i: number): string => `${id}-backup-${i}`;

  useEffect(() => {
    if (at < 0) return;
    document.getElementById(`${id}-backup-${at}`)?.scrollIntoView({ block: 'nearest' });
  }, [at, id]);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>): void => {
    if (e.key === 'Enter' || e.key === ' ') {
      const b = backups[at];
      if (b) {
        e.preventDefault();
        onSelect(b.path);
      }
      return;
    }
    const next = moveIndex(at, e.key, backups.length);
    if (next === null) return;
    e.preventDefault();
    setActive(next);
  };

  return (
    <ul
      className="backup-list"
      role="listbox"
      aria-label="Backups found"
      tabIndex={0}
      aria-activedescendant={at >= 0 ? rowId(at) : undefined}
      data-testid="backup-list"
      onKeyDown={onKeyDown}
    >
      {backups.map((b, i) => (
        <li
          key={b.path}
          id={rowId(i)}
          role="option"
          aria-selected={b.path === selected}
          className={`backup-row${i === at ? ' backup-row-active' : ''}`}
          data-testid="backup-row"
          data-path={b.path}
          onClick={() => {
            setActive(i);
            onSelect(b.path);
          }}
        >
          <BackupRow backup={b} nowMs={nowMs} />
        </li>
      ))}
    </ul>
  );
}
