import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
  wide?: boolean;
}

/**
 * A modal dialog on the native `<dialog>` element (focus trap and Escape come with it). When it
 * closes, the focus goes back to what had it before the dialog opened.
 */
export function Modal({ title, onClose, children, footer, testId, wide = false }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const body = useRef<HTMLDivElement>(null);
  // A body taller than the dialog scrolls: it then takes the focus too, so the keyboard can
  // scroll it (a body that fits stays out of the Tab order).
  const [scrolls, setScrolls] = useState(false);
  useLayoutEffect(() => {
    const el = body.current;
    if (!el) return;
    const measure = (): void => setScrolls(el.scrollHeight > el.clientHeight + 1);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    for (const child of Array.from(el.children)) observer.observe(child);
    return () => observer.disconnect();
  });

  // A layout effect, so that the dialog closes while it is still in the page: closed after its
  // removal, it cannot hand the focus back and the focus falls to the page's body.
  useLayoutEffect(() => {
    const dialog = ref.current;
    const active = document.activeElement;
    const opener = active instanceof HTMLElement && active !== document.body ? active : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={wide ? 'modal modal-wide' : 'modal'}
      data-testid={testId}
      aria-labelledby={testId ? `${testId}-title` : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="modal-header">
        <h2 id={testId ? `${testId}-title` : undefined}>{title}</h2>
        <button
          type="button"
          className="btn-icon"
          aria-label="Close"
          data-testid={testId ? `${testId}-close` : undefined}
          onClick={onClose}
        >
          ×
        </button>
      </header>
      <div
        ref={body}
        className="modal-body"
        tabIndex={scrolls ? 0 : undefined}
        role={scrolls ? 'region' : undefined}
        aria-label={scrolls ? title : undefined}
      >
        {children}
      </div>
      {footer ? <footer className="modal-footer">{footer}</footer> : null}
    </dialog>
  );
}
