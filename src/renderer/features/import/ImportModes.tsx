/** What the import dialog imports. */
export type ImportMode = 'files' | 'backup' | 'connected' | 'android';

const MODES: { mode: ImportMode; label: string; hint: string }[] = [
  { mode: 'files', label: 'Files', hint: 'Privacy Reports, Android captures' },
  { mode: 'backup', label: 'iPhone backup', hint: 'A Finder or iTunes backup folder' },
  { mode: 'connected', label: 'Connected iPhone', hint: 'Make a backup over USB' },
  { mode: 'android', label: 'Connected Android', hint: 'Capture over adb (USB)' },
];

/** The label of a mode's tab. */
export function modeLabel(mode: ImportMode): string | undefined {
  return MODES.find((m) => m.mode === mode)?.label;
}

interface Props {
  mode: ImportMode;
  onMode: (mode: ImportMode) => void;
}

/** The tabs of what to import; the left and right arrow keys move between them. */
export function ImportModes({ mode, onMode }: Props) {
  return (
    <div className="import-modes" role="tablist" aria-label="What to import">
      {MODES.map((m) => (
        <button
          key={m.mode}
          type="button"
          role="tab"
          aria-selected={mode === m.mode}
          className={`import-mode${mode === m.mode ? ' import-mode-on' : ''}`}
          data-testid={`import-mode-${m.mode}`}
          onClick={() => onMode(m.mode)}
          onKeyDown={(e) => {
            if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
            const i = MODES.findIndex((x) => x.mode === mode);
            const next =
              MODES[(i + (e.key === 'ArrowRight' ? 1 : MODES.length - 1)) % MODES.length];
            if (!next) return;
            onMode(next.mode);
            const buttons = e.currentTarget.parentElement?.querySelectorAll('button');
            buttons?.[MODES.indexOf(next)]?.focus();
          }}
          tabIndex={mode === m.mode ? 0 : -1}
        >
          <span className="import-mode-label">{m.label}</span>
          <span className="import-mode-hint">{m.hint}</span>
        </button>
      ))}
    </div>
  );
}
